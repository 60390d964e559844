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
    public func read() throws -> TwinNetwork { try read(slice: nil) }

    /// The twin with only the synapses onto `targets` (``TwinNetwork/targets``): one process's
    /// share of a network shared over processes. nodes.h5 is read as by ``read()`` (it holds no
    /// per-neuron data that dtb reads, only their shapes are checked); of edges.h5 only the target
    /// index's rows of those neurons and the rows of the synapses they give are read, by hyperslab.
    /// The slice is checked as the whole file is (shapes, types, edge types, order, its index
    /// rows) and against its neighbours in the target column (the synapse before it targets an
    /// earlier neuron, the one after it a later neuron), so slices that tile the neurons check the
    /// whole file; only the per-unit figures need every slice (``TwinNetwork/checkFigures(summed:)``).
    /// An empty range reads no synapse at all: the nodes and the synapse groups.
    public func read(targets: Range<Int>) throws -> TwinNetwork { try read(slice: targets) }

    private func read(slice: Range<Int>?) throws -> TwinNetwork {
        let nodes = try reporting(files.nodes.path) { try readNodes(files.nodes.path) }
        let (edges, located) = try reporting(files.edges.path) { try readEdges(files.edges.path, nodes: nodes, slice: slice) }
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
                                   groups: nodes.record.groups, edges: edges, fallbacks: nodes.record.fallbacks, targets: slice)
        }
        try reporting(files.edges.path) {
            try checkTargetIndex(files.edges.path, of: twin, population: nodes.record.edgePopulation, located: located)
        }
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
        /// Neurons of the populations.
        var neurons: Int { populations.last.map { $0.firstNeuron + $0.size } ?? 0 }
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

    /// The synapses of `slice`'s targets (all with none) and where they lie in the file.
    private func readEdges(_ path: String, nodes: Nodes, slice: Range<Int>?) throws -> (TwinEdges, EdgeSlice?) {
        let file = try HDF5File.open(path: path)
        defer { file.close() }
        try checkHeader(file)
        let base = SonataLayout.edges(nodes.record.edgePopulation)
        let count = try synapseCount(file, "\(base)/source_node_id")
        let why = "one per synapse, like source_node_id"
        var columns: [HDF5Dataset] = []
        for name in ["source_node_id", "target_node_id"] {
            let dataset = try file.required("\(base)/\(name)", shape: [count], why)
            let population = file.hasAttribute("node_population", on: dataset.path)
                ? try file.stringAttribute("node_population", on: dataset.path) : "(none)"
            guard population == nodes.record.nodePopulation else {
                throw SonataError(path: path, problem: "\(dataset.path) refers to node population \(population), not \(nodes.record.nodePopulation)")
            }
            columns.append(dataset)
        }
        let weight = try file.required("\(base)/0/weight", shape: [count], why)
        guard try weight.elementKind == .uint16 else {
            throw SonataError(path: path, problem: "\(weight.path) is not uint16, so it does not hold the exact packed weights")
        }
        let types = try file.required("\(base)/edge_type_id", shape: [count], why)
        let located = try slice.map { try locate($0, in: file, base: base, synapses: count, neurons: nodes.neurons) }
        let rows = located?.synapses ?? 0..<count
        func column<T: HDF5Scalar>(_ dataset: HDF5Dataset, _ type: T.Type) throws -> [T] {
            slice == nil ? try dataset.read(type) : try dataset.read(type, start: [rows.lowerBound], count: [rows.count])
        }
        let edges = TwinEdges(pre: try column(columns[0], UInt32.self), post: try column(columns[1], UInt32.self),
                              weight: try column(weight, UInt16.self),
                              group: try readGroups(types, rows: rows, groups: nodes.record.groups.count))
        return (edges, located)
    }

    /// Where a slice's synapses lie in edges.h5, from the target index, with the index rows read
    /// for it (checked against the synapses once they are read).
    struct EdgeSlice {
        /// The slice's target neurons.
        var targets: Range<Int>
        /// Its rows of the synapse columns.
        var synapses: Range<Int>
        /// `node_id_to_ranges` rows of the targets (two values each).
        var nodeRows: [UInt64]
        /// The first of its `range_to_edge_id` rows, those rows (two values each), and how many the file has.
        var firstRange: Int
        var edgeRows: [UInt64]
        var rangeCount: Int
    }

    /// The synapse rows of `targets`: their `node_id_to_ranges` rows give consecutive
    /// `range_to_edge_id` rows, which give the synapses (an empty slice sits where its first
    /// range would start).
    private func locate(_ targets: Range<Int>, in file: HDF5File, base: String, synapses count: Int, neurons: Int) throws -> EdgeSlice {
        let index = "\(base)/indices/target_to_source"
        guard targets.lowerBound >= 0 && targets.upperBound <= neurons else {
            throw SonataError(path: file.path, problem: "targets \(targets) asked for are not neurons of the \(neurons)")
        }
        guard !targets.isEmpty else {
            return EdgeSlice(targets: targets, synapses: 0..<0, nodeRows: [], firstRange: 0, edgeRows: [], rangeCount: 0)
        }
        let nodeRows = try file.required("\(index)/node_id_to_ranges", shape: [neurons, 2], "one row per neuron")
            .read(UInt64.self, start: [targets.lowerBound, 0], count: [targets.count, 2])
        let ranges = try rangeRows(file, index)
        let first = nodeRows[0], end = nodeRows[nodeRows.count - 1]
        guard first <= end && end <= UInt64(ranges.shape[0]) else {
            throw SonataError(path: file.path, problem: "\(index)/node_id_to_ranges rows \(targets.lowerBound) to \(targets.upperBound - 1) give ranges [\(first), \(end)) of the \(ranges.shape[0]) in range_to_edge_id")
        }
        let edgeRows = try ranges.read(UInt64.self, start: [Int(first), 0], count: [Int(end - first), 2])
        let start = try edgeRows.first ?? (first < UInt64(ranges.shape[0])
            ? ranges.read(UInt64.self, start: [Int(first), 0], count: [1, 1])[0] : UInt64(count))
        let stop = edgeRows.last ?? start
        guard start <= stop && stop <= UInt64(count) else {
            throw SonataError(path: file.path, problem: "\(index)/range_to_edge_id rows \(first) to \(end) give synapses [\(start), \(stop)) of the \(count)")
        }
        return EdgeSlice(targets: targets, synapses: Int(start)..<Int(stop), nodeRows: nodeRows, firstRange: Int(first),
                         edgeRows: edgeRows, rangeCount: ranges.shape[0])
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

    /// `edge_type_id`'s `rows` narrowed to the engine's 8-bit group indices slice by slice, each
    /// checked against the groups (a plain narrowing read would clip out-of-range ids instead).
    private func readGroups(_ dataset: HDF5Dataset, rows: Range<Int>, groups: Int) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: rows.count)
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: ColumnWriter.slice) {
            let length = min(ColumnWriter.slice, rows.upperBound - start)
            for (k, id) in try dataset.read(Int64.self, start: [start], count: [length]).enumerated() {
                guard (0..<Int64(groups)).contains(id) else {
                    throw SonataError(path: dataset.file.path, problem: "\(dataset.path)[\(start + k)] = \(id) is not one of the \(groups) edge types")
                }
                result[start - rows.lowerBound + k] = UInt8(id)
            }
        }
        return result
    }

    /// The target index is the one the synapses give (external readers go by it; dtb finds a
    /// slice's synapses by it). A slice checks its own rows, and that the synapses beside it in
    /// the file target neurons outside it, so the slices of every process together check it all.
    private func checkTargetIndex(_ path: String, of twin: TwinNetwork, population: String, located: EdgeSlice?) throws {
        let file = try HDF5File.open(path: path)
        defer { file.close() }
        let index = "\(SonataLayout.edges(population))/indices/target_to_source"
        let slice = try located ?? wholeIndex(file, index, neurons: twin.neuronCount, synapses: twin.edges.count)
        guard !slice.targets.isEmpty else { return }
        try checkNeighbours(of: slice, in: file, population: population)
        var runs = TargetRuns(post: twin.edges.post)
        var ranges: [UInt64] = []
        ranges.reserveCapacity(2 * slice.targets.count)
        let offset = UInt64(slice.synapses.lowerBound), firstRange = UInt64(slice.firstRange)
        for (k, neuron) in slice.targets.enumerated() {
            let synapses = runs.synapses(onto: neuron)
            let r = firstRange + UInt64(ranges.count / 2), end = synapses.isEmpty ? r : r + 1
            guard slice.nodeRows[2 * k] == r && slice.nodeRows[2 * k + 1] == end else {
                throw SonataError(path: path, problem: "\(index)/node_id_to_ranges row \(neuron) is [\(slice.nodeRows[2 * k]), \(slice.nodeRows[2 * k + 1])), the synapses give [\(r), \(end))")
            }
            if !synapses.isEmpty {
                ranges.append(offset + UInt64(synapses.lowerBound))
                ranges.append(offset + UInt64(synapses.upperBound))
            }
        }
        let rangeEnd = slice.firstRange + ranges.count / 2
        if slice.targets.upperBound == twin.neuronCount && slice.rangeCount != rangeEnd {
            throw SonataError(path: path, problem: "\(index)/range_to_edge_id has \(slice.rangeCount) rows, expected \(rangeEnd) (one row per neuron with inputs)")
        }
        guard slice.edgeRows.count == ranges.count else {
            throw SonataError(path: path, problem: "\(index)/range_to_edge_id gives \(slice.edgeRows.count / 2) rows from row \(slice.firstRange), the synapses \(ranges.count / 2)")
        }
        if let k = slice.edgeRows.indices.first(where: { slice.edgeRows[$0] != ranges[$0] }) {
            let r = k / 2
            throw SonataError(path: path, problem: "\(index)/range_to_edge_id row \(slice.firstRange + r) is [\(slice.edgeRows[2 * r]), \(slice.edgeRows[2 * r + 1])), the synapses give [\(ranges[2 * r]), \(ranges[2 * r + 1]))")
        }
    }

    /// The index rows of every neuron, for a whole read (the synapses are all of the file's).
    private func wholeIndex(_ file: HDF5File, _ index: String, neurons: Int, synapses: Int) throws -> EdgeSlice {
        let nodeRows = try file.required("\(index)/node_id_to_ranges", shape: [neurons, 2], "one row per neuron").read(UInt64.self)
        let ranges = try rangeRows(file, index)
        return EdgeSlice(targets: 0..<neurons, synapses: 0..<synapses, nodeRows: nodeRows, firstRange: 0,
                         edgeRows: try ranges.read(UInt64.self), rangeCount: ranges.shape[0])
    }

    /// The index's `range_to_edge_id` dataset: two columns, one row per neuron with inputs.
    private func rangeRows(_ file: HDF5File, _ index: String) throws -> HDF5Dataset {
        guard file.exists("\(index)/range_to_edge_id") else { throw SonataError(path: file.path, problem: "missing dataset \(index)/range_to_edge_id") }
        let ranges = try file.dataset("\(index)/range_to_edge_id")
        guard ranges.shape.count == 2 && ranges.shape[1] == 2 else {
            throw SonataError(path: file.path, problem: "\(index)/range_to_edge_id has shape \(ranges.shape), expected 2 columns (one row per neuron with inputs)")
        }
        return ranges
    }

    /// The synapse before a slice targets an earlier neuron and the one after it a later one:
    /// the file holds no synapse onto the slice's neurons outside it.
    private func checkNeighbours(of slice: EdgeSlice, in file: HDF5File, population: String) throws {
        let column = try file.dataset("\(SonataLayout.edges(population))/target_node_id")
        let count = column.shape[0], lo = slice.synapses.lowerBound, hi = slice.synapses.upperBound
        if lo > 0, let before = try column.read(UInt64.self, start: [lo - 1], count: [1]).first, before >= UInt64(slice.targets.lowerBound) {
            throw SonataError(path: file.path, problem: "\(column.path)[\(lo - 1)] = \(before) is one of neurons \(slice.targets.lowerBound) to \(slice.targets.upperBound - 1), whose synapses the target index puts at [\(lo), \(hi))")
        }
        if hi < count, let after = try column.read(UInt64.self, start: [hi], count: [1]).first, after < UInt64(slice.targets.upperBound) {
            throw SonataError(path: file.path, problem: "\(column.path)[\(hi)] = \(after) is one of neurons \(slice.targets.lowerBound) to \(slice.targets.upperBound - 1), whose synapses the target index puts at [\(lo), \(hi))")
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
