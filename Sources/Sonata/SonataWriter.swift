import Foundation
import HDF5Kit
import SpikingEngine
import TwinBuilder

/// Writes a twin network as a SONATA circuit: nodes.h5, edges.h5, node_types.csv and
/// edge_types.csv in one directory (``SonataCircuitFiles``).
///
/// - nodes.h5: `/nodes/<population>` with `node_type_id` (the twin population, i.e. unit ×
///   laminar population), `node_group_id` (all 0), `node_group_index` and group `0/unit`; under
///   `/dtb` the per-unit and per-population figures, and the ``TwinRecord`` JSON as root attribute.
///   A population's `in_degree` (here and in node_types.csv) is the built one; the synapses of an
///   edited twin, any number per neuron, are what the edge population and its index hold.
/// - edges.h5: `/edges/<population>_to_<population>` with `source_node_id`, `target_node_id`
///   (uint64, attribute `node_population`), `edge_type_id` (the synapse group), `edge_group_id`,
///   `edge_group_index`, group `0` with the exact packed `weight` (uint16: low byte AMPA or GABAa,
///   high byte NMDA or GABAb, k/255 of the group's full scale) and `syn_weight` (float: the
///   conductance jump g·w of the first receptor, for readers that know one weight), and the
///   `indices/target_to_source` index (synapses are stored in target order).
/// - the CSVs: one row per node type and per edge type (delay, receptors, model parameters).
///
/// Object times are left out of the HDF5 files, so the same network gives the same bytes.
public struct SonataWriter: Sendable {
    /// Name of the node population; the edge population is `<name>_to_<name>`.
    public var nodePopulation: String
    /// Deflate level (1–9) of the per-node and per-edge datasets; nil stores them uncompressed,
    /// for readers whose HDF5 has no deflate filter (libsonata's PyPI wheels, for one), at about
    /// six times the size.
    public var gzipLevel: Int?

    /// A writer naming the node population `nodePopulation` and compressing at `gzipLevel`.
    public init(nodePopulation: String = "twin", gzipLevel: Int? = 4) {
        self.nodePopulation = nodePopulation
        self.gzipLevel = gzipLevel
    }

    /// Writes `twin` into `directory` (created if missing), replacing the four files there.
    @discardableResult
    public func write(_ twin: TwinNetwork, to directory: URL) throws -> SonataCircuitFiles {
        let files = SonataCircuitFiles(directory: directory)
        guard !nodePopulation.isEmpty, !nodePopulation.contains("/") else {
            throw SonataError(path: files.nodes.path, problem: "population name \"\(nodePopulation)\" must be non-empty and without /")
        }
        try reporting(directory.path) { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        let record = TwinRecord(format: SonataLayout.format, nodePopulation: nodePopulation,
                                edgePopulation: SonataLayout.edgePopulation(for: nodePopulation),
                                parameters: twin.parameters, groups: twin.groups, fallbacks: twin.fallbacks)
        try reporting(files.nodes.path) { try writeNodes(twin, record: record, to: files.nodes.path) }
        try reporting(files.edges.path) { try writeEdges(twin, record: record, to: files.edges.path) }
        let tables = TypeTables(twin: twin, record: record)
        try reporting(files.nodeTypes.path) { try Data(tables.nodeTypes.utf8).write(to: files.nodeTypes) }
        try reporting(files.edgeTypes.path) { try Data(tables.edgeTypes.utf8).write(to: files.edgeTypes) }
        return files
    }

    // MARK: nodes.h5

    private func writeNodes(_ twin: TwinNetwork, record: TwinRecord, to path: String) throws {
        let file = try HDF5File.create(path: path, trackTimes: false)
        defer { file.close() }
        try writeHeader(file)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try file.setAttribute(SonataLayout.recordAttribute, String(decoding: try encoder.encode(record), as: UTF8.self))

        let columns = ColumnWriter(file: file, gzipLevel: gzipLevel)
        let base = SonataLayout.nodes(nodePopulation), n = twin.neuronCount
        let starts = twin.populations.map(\.firstNeuron)
        var types = PopulationWalk(firstNeurons: starts)
        try columns.write("\(base)/node_type_id", as: Int64.self, rows: n) { range in
            ArraySlice(range.map { Int64(types.index(of: $0)) })
        }
        try columns.write("\(base)/node_group_id", as: UInt32.self, rows: n) { ArraySlice(repeatElement(UInt32(0), count: $0.count)) }
        try columns.write("\(base)/node_group_index", as: UInt64.self, rows: n) { ArraySlice($0.map { UInt64($0) }) }
        var units = PopulationWalk(firstNeurons: starts)
        try columns.write("\(base)/0/unit", as: UInt32.self, rows: n) { range in
            ArraySlice(range.map { UInt32(twin.populations[units.index(of: $0)].unit) })
        }
        try writeTwinFigures(twin, to: file)
    }

    /// The per-unit and per-population figures the SONATA tables do not hold.
    private func writeTwinFigures(_ twin: TwinNetwork, to file: HDF5File) throws {
        let u = SonataLayout.units, p = SonataLayout.populations, n = twin.unitNames.count
        try file.writeStrings("\(u)/name", twin.unitNames)
        try file.writeStrings("\(u)/kind", twin.unitKinds.map(\.rawValue))
        try file.write("\(u)/mean_in_degree", twin.meanInDegree, shape: [n])
        try file.write("\(u)/sv2a_scale", twin.sv2aScales, shape: [n])
        let groups = (twin.unitGroups.max() ?? -1) + 1
        try file.write("\(u)/tract_group", twin.unitGroups.map { Int64($0) }, shape: [n])
        try file.write("\(u)/long_range_counts", twin.longRangeCounts.joined().map { Int64($0) }, shape: [n, groups],
                       gzipLevel: gzipLevel)
        if let delays = twin.delaySteps {
            try file.write("\(u)/delay_steps", delays.joined().map { Int64($0) }, shape: [groups, groups])
        }
        let pops = twin.populations
        try file.writeStrings("\(p)/name", pops.map(\.name))
        for (name, values) in [("unit", pops.map(\.unit)), ("size", pops.map(\.size)),
                               ("first_neuron", pops.map(\.firstNeuron)), ("in_degree", pops.map(\.inDegree))] {
            try file.write("\(p)/\(name)", values.map { Int64($0) }, shape: [pops.count])
        }
        try file.write("\(p)/excitatory", pops.map { Int8($0.excitatory ? 1 : 0) }, shape: [pops.count])
    }

    // MARK: edges.h5

    private func writeEdges(_ twin: TwinNetwork, record: TwinRecord, to path: String) throws {
        let file = try HDF5File.create(path: path, trackTimes: false)
        defer { file.close() }
        try writeHeader(file)
        let columns = ColumnWriter(file: file, gzipLevel: gzipLevel)
        let base = SonataLayout.edges(record.edgePopulation), edges = twin.edges, count = edges.count
        for (name, ids) in [("source_node_id", edges.pre), ("target_node_id", edges.post)] {
            try columns.write("\(base)/\(name)", as: UInt64.self, rows: count) { ids[$0] }
            try file.setAttribute("node_population", nodePopulation, on: "\(base)/\(name)")
        }
        try columns.write("\(base)/edge_type_id", as: Int64.self, rows: count) { edges.group[$0] }
        try columns.write("\(base)/edge_group_id", as: UInt32.self, rows: count) { ArraySlice(repeatElement(UInt32(0), count: $0.count)) }
        try columns.write("\(base)/edge_group_index", as: UInt64.self, rows: count) { ArraySlice($0.map { UInt64($0) }) }
        try columns.write("\(base)/0/weight", as: UInt16.self, rows: count) { edges.weight[$0] }
        try writeSynapticWeights(twin, at: "\(base)/0/syn_weight", columns)
        try writeTargetIndex(twin, at: "\(base)/indices/target_to_source", columns)
    }

    /// `syn_weight`: g of the target population's first receptor of the group × full scale × the
    /// low-byte fraction, i.e. the conductance a spike adds on that receptor.
    private func writeSynapticWeights(_ twin: TwinNetwork, at path: String, _ columns: ColumnWriter) throws {
        let g = twin.populationConductances
        let edges = twin.edges, groups = twin.groups
        var targets = PopulationWalk(firstNeurons: twin.populations.map(\.firstNeuron))
        try columns.write(path, as: Float.self, rows: edges.count) { range in
            ArraySlice(range.map { k in
                let group = groups[Int(edges.group[k])]
                let fraction = Double(edges.weight[k] & 0xFF) / 255
                return Float(g[targets.index(of: Int(edges.post[k]))][group.channels[0]] * group.fullScale[0] * fraction)
            })
        }
    }

    /// SONATA's target index for synapses stored in target order: each neuron with inputs has one
    /// range, `node_id_to_ranges[i] = [r, r+1)` and `range_to_edge_id[r]` = its synapses; a neuron
    /// without inputs (any neuron of an edited twin may have none) has the empty `[r, r)`.
    private func writeTargetIndex(_ twin: TwinNetwork, at path: String, _ columns: ColumnWriter) throws {
        var inputs = TargetRuns(post: twin.edges.post)
        var range: UInt64 = 0
        try columns.write("\(path)/node_id_to_ranges", as: UInt64.self, rows: twin.neuronCount, columns: 2) { neurons in
            var rows: [UInt64] = []
            rows.reserveCapacity(2 * neurons.count)
            for neuron in neurons {
                rows.append(range)
                if !inputs.synapses(onto: neuron).isEmpty { range += 1 }
                rows.append(range)
            }
            return rows[...]
        }
        var runs = TargetRuns(post: twin.edges.post)
        try columns.write("\(path)/range_to_edge_id", as: UInt64.self, rows: Int(range), columns: 2) { rows in
            var flat: [UInt64] = []
            flat.reserveCapacity(2 * rows.count)
            for _ in rows {
                let synapses = runs.next()
                flat.append(UInt64(synapses.lowerBound))
                flat.append(UInt64(synapses.upperBound))
            }
            return flat[...]
        }
    }

    /// SONATA's `magic` and `version` root attributes.
    private func writeHeader(_ file: HDF5File) throws {
        try file.setAttribute("magic", SonataLayout.magic)
        try file.setAttribute("version", SonataLayout.version)
    }
}
