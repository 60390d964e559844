import Foundation
import HDF5Kit
import SpikingEngine
import TwinBuilder

/// Reads a twin circuit written by ``SonataWriter`` back into the ``TwinNetwork`` it came from.
///
/// Every problem is a one-line ``SonataError`` naming the file: a missing or truncated file, a
/// file that is not SONATA or not a dtb twin, a missing dataset, a dataset of the wrong shape,
/// parts that do not fit together (``TwinNetwork``'s loader), or a target index that is not the
/// one the synapses give.
public struct SonataReader: Sendable {
    /// The files it reads.
    public let files: SonataCircuitFiles

    /// A reader of the circuit in `directory` (nothing is opened until ``read()``).
    public init(directory: URL) { files = SonataCircuitFiles(directory: directory) }

    /// The twin network, equal to the one written.
    public func read() throws -> TwinNetwork {
        let nodes = try reporting(files.nodes.path) { try readNodes(files.nodes.path) }
        let edges = try reporting(files.edges.path) { try readEdges(files.edges.path, nodes: nodes) }
        let twin = try reporting(files.directory.path) {
            let pops = nodes.populations, n = nodes.unitNames.count
            var counts = [[Int]](repeating: [], count: n), degrees = [[Int]](repeating: [], count: n)
            for pop in pops where (0..<n).contains(pop.unit) {
                counts[pop.unit].append(pop.size)
                degrees[pop.unit].append(pop.inDegree)
            }
            return try TwinNetwork(unitNames: nodes.unitNames, unitKinds: nodes.unitKinds, parameters: nodes.record.parameters,
                                   populations: pops, neuronCounts: counts, inDegrees: degrees,
                                   meanInDegree: nodes.meanInDegree, sv2aScales: nodes.sv2aScales,
                                   unitGroups: nodes.unitGroups, longRangeCounts: nodes.longRangeCounts, delaySteps: nodes.delaySteps,
                                   groups: nodes.record.groups, edges: edges, fallbacks: nodes.record.fallbacks)
        }
        try reporting(files.edges.path) { try checkTargetIndex(files.edges.path, of: twin, population: nodes.record.edgePopulation) }
        return twin
    }

    /// What nodes.h5 holds about the twin.
    private struct Nodes {
        var record: TwinRecord
        var unitNames: [String]
        var unitKinds: [UnitKind]
        var meanInDegree: [Double]
        var sv2aScales: [Double]
        var unitGroups: [Int]
        var longRangeCounts: [[Int]]
        var delaySteps: [[Int]]?
        var populations: [TwinPopulation]
    }

    private func readNodes(_ path: String) throws -> Nodes {
        let file = try HDF5File.open(path: path)
        defer { file.close() }
        try checkHeader(file)
        guard file.hasAttribute(SonataLayout.recordAttribute) else {
            throw SonataError(path: path, problem: "no \(SonataLayout.recordAttribute) attribute: not a twin written by dtb")
        }
        let json = try file.stringAttribute(SonataLayout.recordAttribute)
        let record: TwinRecord
        do {
            record = try JSONDecoder().decode(TwinRecord.self, from: Data(json.utf8))
        } catch {
            throw SonataError(path: path, problem: "the \(SonataLayout.recordAttribute) attribute is not a twin record: \(error)")
        }
        guard record.format == SonataLayout.format else {
            throw SonataError(path: path, problem: "format \"\(record.format)\", this reader reads \"\(SonataLayout.format)\"")
        }

        let u = SonataLayout.units
        let names = try file.strings("\(u)/name", count: nil)
        let n = names.count
        let kinds = try file.strings("\(u)/kind", count: n).map { kind in
            guard let k = UnitKind(rawValue: kind) else { throw SonataError(path: path, problem: "unknown unit kind \"\(kind)\" in \(u)/kind") }
            return k
        }
        let groupOf = try file.required("\(u)/tract_group", shape: [n], "one per unit").read(Int64.self).map { Int($0) }
        let groups = (groupOf.max() ?? -1) + 1
        let delays = try file.exists("\(u)/delay_steps") ? file.matrix("\(u)/delay_steps", groups, groups) : nil
        let pops = try readPopulations(file)
        let neurons = pops.last.map { $0.firstNeuron + $0.size } ?? 0
        for column in ["node_type_id", "node_group_id", "node_group_index", "0/unit"] {
            _ = try file.required("\(SonataLayout.nodes(record.nodePopulation))/\(column)", shape: [neurons], "one per neuron")
        }
        return Nodes(record: record, unitNames: names, unitKinds: kinds,
                     meanInDegree: try file.required("\(u)/mean_in_degree", shape: [n], "one per unit").read(Double.self),
                     sv2aScales: try file.required("\(u)/sv2a_scale", shape: [n], "one per unit").read(Double.self),
                     unitGroups: groupOf, longRangeCounts: try file.matrix("\(u)/long_range_counts", n, groups),
                     delaySteps: delays, populations: pops)
    }

    private func readPopulations(_ file: HDF5File) throws -> [TwinPopulation] {
        let p = SonataLayout.populations
        let names = try file.strings("\(p)/name", count: nil)
        let count = names.count
        func column(_ name: String) throws -> [Int] {
            try file.required("\(p)/\(name)", shape: [count], "one per population").read(Int64.self).map { Int($0) }
        }
        let unit = try column("unit"), size = try column("size"), first = try column("first_neuron")
        let degree = try column("in_degree"), excitatory = try column("excitatory")
        var pops: [TwinPopulation] = []
        for k in 0..<count {
            pops.append(TwinPopulation(unit: unit[k], name: names[k], size: size[k], firstNeuron: first[k],
                                       inDegree: degree[k], excitatory: excitatory[k] != 0))
        }
        return pops
    }

    private func readEdges(_ path: String, nodes: Nodes) throws -> TwinEdges {
        let file = try HDF5File.open(path: path)
        defer { file.close() }
        try checkHeader(file)
        let base = SonataLayout.edges(nodes.record.edgePopulation)
        let count = try synapseCount(file, "\(base)/source_node_id")
        let why = "one per synapse, like source_node_id"
        var ids: [[UInt32]] = []
        for name in ["source_node_id", "target_node_id"] {
            let dataset = try file.required("\(base)/\(name)", shape: [count], why)
            let population = file.hasAttribute("node_population", on: dataset.path)
                ? try file.stringAttribute("node_population", on: dataset.path) : "(none)"
            guard population == nodes.record.nodePopulation else {
                throw SonataError(path: path, problem: "\(dataset.path) refers to node population \(population), not \(nodes.record.nodePopulation)")
            }
            ids.append(try dataset.read(UInt32.self))
        }
        let weight = try file.required("\(base)/0/weight", shape: [count], why)
        guard try weight.elementKind == .uint16 else {
            throw SonataError(path: path, problem: "\(weight.path) is not uint16, so it does not hold the exact packed weights")
        }
        let groups = try readGroups(file.required("\(base)/edge_type_id", shape: [count], why), groups: nodes.record.groups.count)
        return TwinEdges(pre: ids[0], post: ids[1], weight: try weight.read(UInt16.self), group: groups)
    }

    /// The number of synapses: the length of the one-dimensional `sources` column (any number per
    /// neuron, so the populations' in-degrees do not give it).
    private func synapseCount(_ file: HDF5File, _ sources: String) throws -> Int {
        guard file.exists(sources) else { throw SonataError(path: file.path, problem: "missing dataset \(sources)") }
        let shape = try file.dataset(sources).shape
        guard shape.count == 1 else {
            throw SonataError(path: file.path, problem: "\(sources) has shape \(shape), expected one dimension (one per synapse)")
        }
        return shape[0]
    }

    /// `edge_type_id` narrowed to the engine's 8-bit group indices slice by slice, each checked
    /// against the groups (a plain narrowing read would clip out-of-range ids instead).
    private func readGroups(_ dataset: HDF5Dataset, groups: Int) throws -> [UInt8] {
        let count = dataset.shape[0]
        var result = [UInt8](repeating: 0, count: count)
        for start in stride(from: 0, to: count, by: ColumnWriter.slice) {
            let length = min(ColumnWriter.slice, count - start)
            for (k, id) in try dataset.read(Int64.self, start: [start], count: [length]).enumerated() {
                guard (0..<Int64(groups)).contains(id) else {
                    throw SonataError(path: dataset.file.path, problem: "\(dataset.path)[\(start + k)] = \(id) is not one of the \(groups) edge types")
                }
                result[start + k] = UInt8(id)
            }
        }
        return result
    }

    /// The target index is the one the synapses give (external readers go by it; dtb does not need it).
    private func checkTargetIndex(_ path: String, of twin: TwinNetwork, population: String) throws {
        let file = try HDF5File.open(path: path)
        defer { file.close() }
        let index = "\(SonataLayout.edges(population))/indices/target_to_source"
        let nodeRows = try file.required("\(index)/node_id_to_ranges", shape: [twin.neuronCount, 2], "one row per neuron").read(UInt64.self)
        var runs = TargetRuns(post: twin.edges.post)
        var ranges: [UInt64] = []
        ranges.reserveCapacity(2 * twin.neuronCount)
        for neuron in 0..<twin.neuronCount {
            let synapses = runs.synapses(onto: neuron)
            let r = UInt64(ranges.count / 2), end = synapses.isEmpty ? r : r + 1
            guard nodeRows[2 * neuron] == r && nodeRows[2 * neuron + 1] == end else {
                throw SonataError(path: path, problem: "\(index)/node_id_to_ranges row \(neuron) is [\(nodeRows[2 * neuron]), \(nodeRows[2 * neuron + 1])), the synapses give [\(r), \(end))")
            }
            if !synapses.isEmpty {
                ranges.append(UInt64(synapses.lowerBound))
                ranges.append(UInt64(synapses.upperBound))
            }
        }
        let edgeRows = try file.required("\(index)/range_to_edge_id", shape: [ranges.count / 2, 2], "one row per neuron with inputs")
            .read(UInt64.self)
        if let k = edgeRows.indices.first(where: { edgeRows[$0] != ranges[$0] }) {
            let r = k / 2
            throw SonataError(path: path, problem: "\(index)/range_to_edge_id row \(r) is [\(edgeRows[2 * r]), \(edgeRows[2 * r + 1])), the synapses give [\(ranges[2 * r]), \(ranges[2 * r + 1]))")
        }
    }

    /// SONATA's root attributes: `magic` 0x0A7A.
    private func checkHeader(_ file: HDF5File) throws {
        guard file.hasAttribute("magic"), try file.intAttribute("magic") == Int64(SonataLayout.magic) else {
            throw SonataError(path: file.path, problem: "no SONATA magic number 0x0A7A at the root: not a SONATA file")
        }
    }
}

extension HDF5File {
    /// The dataset at `datasetPath`, which must exist with `shape` (`why` says what sets it).
    func required(_ datasetPath: String, shape: [Int], _ why: String) throws -> HDF5Dataset {
        guard exists(datasetPath) else { throw SonataError(path: path, problem: "missing dataset \(datasetPath)") }
        let dataset = try dataset(datasetPath)
        guard dataset.shape == shape else {
            throw SonataError(path: path, problem: "\(datasetPath) has shape \(dataset.shape), expected \(shape) (\(why))")
        }
        return dataset
    }

    /// A string dataset that must exist, with `count` strings when given.
    func strings(_ datasetPath: String, count: Int?) throws -> [String] {
        guard exists(datasetPath) else { throw SonataError(path: path, problem: "missing dataset \(datasetPath)") }
        let strings = try readStrings(datasetPath)
        if let count, strings.count != count {
            throw SonataError(path: path, problem: "\(datasetPath) has \(strings.count) entries, expected \(count) (one per unit)")
        }
        return strings
    }

    /// A rows × columns integer matrix, by rows.
    func matrix(_ datasetPath: String, _ rows: Int, _ columns: Int) throws -> [[Int]] {
        let values = try required(datasetPath, shape: [rows, columns], "\(rows) × \(columns)").read(Int64.self)
        return (0..<rows).map { row in values[(row * columns)..<(row * columns + columns)].map { Int($0) } }
    }
}
