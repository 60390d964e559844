// The built network: neuron layout (populations padded to whole 8-neuron blocks so the update runs
// on SIMD8 lanes), partitions, and the compressed synapse tables.
import Dispatch
import Foundation
import Primitives

/// The number of cores this process may use.
public let defaultThreadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Where a population sits in the engine's internal numbering.
struct PopulationLayout: Sendable {
    /// First internal neuron index (a multiple of 8).
    var first: Int
    var size: Int
    /// First global (external) index.
    var firstGlobal: Int
    var firstBlock: Int { first / 8 }
    var endBlock: Int { (first + size + 7) / 8 }
}

/// A synapse group in the form the delivery loop uses.
struct CompiledGroup: Sendable {
    var delaySteps: Int
    /// Float offsets of the channels inside a neuron block (channel·8).
    var offsetA: Int
    var offsetB: Int
    /// Weight per quantum (full scale / 255); zero for an unused second channel.
    var scaleA: Float
    var scaleB: Float
    var twoChannels: Bool
}

/// Outgoing synapses of every neuron onto one partition's neurons, in compressed rows:
/// row `pre` is `rowStart[pre] ..< rowStart[pre + 1]`. Per synapse 7 bytes: the target's float
/// offset in the gating arrays (UInt32), two 8-bit weights (UInt16) and the group (UInt8).
///
/// Each row is sorted (stably) by delay and cut into *delay segments*, runs of synapses with one
/// delay and one group: a spike's synapses that arrive at one step are a segment or a few, so the
/// delivery decides once per segment whether it arrives in the next window (added now) or later
/// (queued as events), and adding a segment looks its group up once.
/// Segment k is `segmentBound[k] ..< segmentBound[k + 1]`; row `pre` has segments
/// `firstSegment[pre] ..< firstSegment[pre + 1]`.
public final class SynapseTable: @unchecked Sendable {
    let rowStart: UnsafeMutablePointer<Int>
    let target: UnsafeMutablePointer<UInt32>
    let weight: UnsafeMutablePointer<UInt16>
    let group: UnsafeMutablePointer<UInt8>
    public let rows: Int
    public let count: Int
    private(set) var firstSegment: UnsafeMutablePointer<Int>
    private(set) var segmentBound: UnsafeMutablePointer<Int>
    private(set) var segmentDelay: UnsafeMutablePointer<Int32>
    /// The number of delay segments.
    public private(set) var segments = 0

    init(rowCounts: UnsafeMutablePointer<Int>, rows: Int) {
        self.rows = rows
        rowStart = allocateLarge(Int.self, count: rows + 1)
        var total = 0
        for r in 0..<rows { rowStart[r] = total; total += rowCounts[r] }
        rowStart[rows] = total
        count = total
        precondition(total < Int(UInt32.max), "a partition holds fewer than 2³² synapses")
        target = allocateLarge(UInt32.self, count: total)
        weight = allocateLarge(UInt16.self, count: total)
        group = allocateLarge(UInt8.self, count: total)
        firstSegment = allocateLarge(Int.self, count: rows + 1)
        segmentBound = allocateLarge(Int.self, count: 1)
        segmentDelay = allocateLarge(Int32.self, count: 1)
    }

    deinit {
        for p in [rowStart, firstSegment, segmentBound] { deallocateLarge(p) }
        deallocateLarge(target); deallocateLarge(weight); deallocateLarge(group); deallocateLarge(segmentDelay)
    }

    /// A table without rows, for a partition whose synapses another process holds.
    static func empty() -> SynapseTable {
        var none = 0
        return SynapseTable(rowCounts: &none, rows: 0)
    }

    /// Bytes held by this table (rows index, synapse records and delay segments).
    public var bytes: Int {
        2 * (rows + 1) * MemoryLayout<Int>.stride + count * (MemoryLayout<UInt32>.stride
            + MemoryLayout<UInt16>.stride + MemoryLayout<UInt8>.stride) + (segments + 1) * 12
    }

    /// Synapse `i` as a queued event: target offset, weights and group in one word (``ArrivalQueues``).
    @inline(__always)
    func event(_ i: Int) -> UInt64 { UInt64(target[i]) | UInt64(weight[i]) << 32 | UInt64(group[i]) << 48 }

    /// Sorts every row stably by its synapses' delays (`delaySteps` per group) and records the
    /// delay segments. Per target element the synapses of one delay keep their order, so the sums
    /// a spike's arrivals make are the same as from the unsorted row.
    func segment(delaySteps: [Int]) {
        var bounds: [Int] = [], delays: [Int32] = []
        var order: [(delay: Int, index: Int)] = []
        var targets: [UInt32] = [], weights: [UInt16] = [], groups: [UInt8] = []
        for r in 0..<rows {
            firstSegment[r] = delays.count
            let lo = rowStart[r], hi = rowStart[r + 1]
            order.removeAll(keepingCapacity: true)
            for i in lo..<hi { order.append((delaySteps[Int(group[i])], i)) }
            if !order.isEmpty && order.contains(where: { $0.delay != order[0].delay }) {
                order.sort { ($0.delay, $0.index) < ($1.delay, $1.index) }
                targets = order.map { target[$0.index] }
                weights = order.map { weight[$0.index] }
                groups = order.map { group[$0.index] }
                for k in 0..<order.count { target[lo + k] = targets[k]; weight[lo + k] = weights[k]; group[lo + k] = groups[k] }
            }
            for (k, entry) in order.enumerated()
            where k == 0 || entry.delay != order[k - 1].delay || group[lo + k] != group[lo + k - 1] {
                bounds.append(lo + k)
                delays.append(Int32(entry.delay))
            }
        }
        firstSegment[rows] = delays.count
        bounds.append(count)
        segments = delays.count
        deallocateLarge(segmentBound); deallocateLarge(segmentDelay)
        segmentBound = allocateLarge(Int.self, count: bounds.count)
        segmentBound.initialize(from: bounds, count: bounds.count)
        segmentDelay = allocateLarge(Int32.self, count: max(1, delays.count))
        segmentDelay.initialize(from: delays, count: delays.count)
    }
}

/// A contiguous range of 8-neuron blocks updated by one thread and holding the synapses onto them.
public struct Partition: Sendable {
    public let blocks: Range<Int>
    public let synapses: SynapseTable
}

/// An immutable, built network. Create a ``Simulation`` to run it.
public final class Network: Sendable {
    public let dt: Double
    public let seed: UInt64
    public let populations: [Population]
    public let groups: [SynapseGroup]
    public let partitions: [Partition]
    /// The partitions this process updates and holds the synapses of: all of them, unless the
    /// network was built for one process of several (``NetworkBuilder/build(partitions:local:)``);
    /// then a snapshot holds only those partitions' neurons as they are.
    public let localPartitions: Range<Int>
    /// Neurons, excluding block padding.
    public let neuronCount: Int
    /// Channels stored per neuron (2 or 4: the model's channel count rounded up).
    public let channelStride: Int
    let layout: [PopulationLayout]
    let compiledGroups: [CompiledGroup]
    /// Internal neurons including padding (a multiple of 8).
    let paddedCount: Int
    /// The shortest and longest delay in steps: spikes are exchanged once per `minDelay` steps.
    public let minDelay: Int
    public let maxDelay: Int

    /// Total synapses.
    public var synapseCount: Int { partitions.reduce(0) { $0 + $1.synapses.count } }
    /// Bytes of all synapse tables, as allocated.
    public var synapseBytes: Int { partitions.reduce(0) { $0 + $1.synapses.bytes } }

    init(builder: NetworkBuilder, partitions requested: Int, local: Range<Int>? = nil) {
        precondition(!builder.populations.isEmpty, "a network has populations")
        dt = builder.dt
        seed = builder.seed
        populations = builder.populations
        groups = builder.groups
        channelStride = builder.populations[0].model.channels.count <= 2 ? 2 : 4
        var layout: [PopulationLayout] = []
        var first = 0, firstGlobal = 0
        for p in builder.populations {
            layout.append(PopulationLayout(first: first, size: p.size, firstGlobal: firstGlobal))
            first += (p.size + 7) / 8 * 8
            firstGlobal += p.size
        }
        self.layout = layout
        paddedCount = first
        neuronCount = firstGlobal
        let steps = builder.groups.map { max(1, Int(($0.delay / builder.dt).rounded())) }
        minDelay = steps.min() ?? 1
        maxDelay = steps.max() ?? 1
        compiledGroups = zip(builder.groups, steps).map { g, d in
            CompiledGroup(delaySteps: d, offsetA: g.channels[0] * 8,
                          offsetB: g.channels[g.channels.count - 1] * 8,
                          scaleA: Float(g.fullScale[0] / 255),
                          scaleB: g.channels.count == 2 ? Float(g.fullScale[1] / 255) : 0,
                          twoChannels: g.channels.count == 2)
        }
        let ranges = Self.partitionBlocks(blocks: first / 8, requested: requested)
        let count = ranges.count
        let owned = local?.clamped(to: 0..<count) ?? 0..<count
        localPartitions = owned
        let wiring = Wiring(builder: builder, layout: layout, channelStride: channelStride, rows: first)
        nonisolated(unsafe) var tables = [SynapseTable?](repeating: nil, count: count)
        tables.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: count) { p in
                // Another process holds the synapses onto a partition it updates.
                guard owned.contains(p) else { out[p] = SynapseTable.empty(); return }
                let table = wiring.table(for: (ranges[p].lowerBound * 8)..<(ranges[p].upperBound * 8))
                table.segment(delaySteps: steps)
                out[p] = table
            }
        }
        partitions = zip(ranges, tables).map { Partition(blocks: $0, synapses: $1!) }
    }

    /// The 8-neuron blocks of each of `requested` partitions (fewer when there are fewer blocks):
    /// the one cut both ``Network`` and ``NetworkBuilder/neurons(partitions:local:)`` use.
    static func partitionBlocks(blocks: Int, requested: Int) -> [Range<Int>] {
        let count = max(1, min(requested, blocks))
        return (0..<count).map { p in (blocks * p / count)..<(blocks * (p + 1) / count) }
    }

    /// The identifier of population `index`, in the order the populations were added.
    public func populationID(_ index: Int) -> PopulationID {
        precondition(populations.indices.contains(index), "population index out of range")
        return PopulationID(index: index)
    }

    /// The global index of an internal neuron index, or nil for block padding.
    func global(internal i: Int) -> Int? {
        let l = layout[population(internal: i)]
        return i - l.first < l.size ? l.firstGlobal + i - l.first : nil
    }

    /// The index of the population holding an internal neuron index (padding included).
    func population(internal i: Int) -> Int {
        var lo = 0, hi = layout.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if layout[mid].first <= i { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The internal index of a global neuron index.
    func `internal`(global g: Int) -> Int {
        let l = layout[population(global: g)]
        return l.first + g - l.firstGlobal
    }

    /// The index of the population holding a global neuron index.
    func population(global g: Int) -> Int {
        precondition(g >= 0 && g < neuronCount, "neuron index out of range")
        var lo = 0, hi = layout.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if layout[mid].firstGlobal <= g { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

/// Draws the synapses of every rule onto a range of target neurons. Two passes over the same
/// counter-based draws (count per row, then fill) avoid holding an edge list.
private struct Wiring: Sendable {
    let builder: NetworkBuilder
    let layout: [PopulationLayout]
    let channelStride: Int
    let rows: Int

    func table(for targets: Range<Int>) -> SynapseTable {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: rows)
        counts.initialize(repeating: 0, count: rows)
        defer { counts.deallocate() }
        var drawn = Draw()
        visit(targets, &drawn, withWeights: false) { pre, _, _, _ in counts[pre] += 1 }
        let table = SynapseTable(rowCounts: counts, rows: rows)
        for r in 0..<rows { counts[r] = table.rowStart[r] }
        let stride = channelStride
        visit(targets, &drawn, withWeights: true) { pre, post, w, g in
            let at = counts[pre]
            counts[pre] = at + 1
            table.target[at] = UInt32((post >> 3) * 8 * stride + (post & 7))
            table.weight[at] = w
            table.group[at] = g
        }
        return table
    }

    /// Scratch space for one target neuron's draws.
    struct Draw {
        var pre: [Int] = []
        var group: [UInt8] = []
        var seen = DistinctSet()
    }

    /// Calls `body(pre, post, weights, group)` for every synapse onto `targets` (internal indices),
    /// in a fixed order: rules, then lists, then synapse lists, each by target neuron, then draw.
    func visit(_ targets: Range<Int>, _ d: inout Draw, withWeights: Bool,
               _ body: (Int, Int, UInt16, UInt8) -> Void) {
        for (r, rule) in builder.rules.enumerated() {
            let t = layout[rule.target.index]
            let picker = AliasTable(rule.sources.map(\.share))
            let lo = max(targets.lowerBound, t.first), hi = min(targets.upperBound, t.first + t.size)
            guard lo < hi else { continue }
            let available = rule.sources.reduce(0) { $0 + layout[$1.population.index].size }
            precondition(rule.multapses || rule.inDegree < available, "in-degree exceeds the distinct sources")
            for post in lo..<hi {
                draw(rule, index: r, picker, post: post, globalPost: t.firstGlobal + post - t.first, &d)
                var weights = RandomSequence(seed: builder.seed, stream: .connectivity,
                                             item: UInt32(t.firstGlobal + post - t.first),
                                             salt: UInt32(r) | 0x8000_0000)
                for k in 0..<d.pre.count {
                    body(d.pre[k], post, withWeights ? quantised(rule.weights, &weights) : 0, d.group[k])
                }
            }
        }
        for list in builder.lists {
            for k in list.pre.indices {
                let post = internalIndex(list.post[k])
                guard targets.contains(post) else { continue }
                let w = list.weights[k]
                let q = UInt16(quantum(w[0])) | UInt16(quantum(w.count > 1 ? w[1] : 0)) << 8
                body(internalIndex(list.pre[k]), post, q, UInt8(list.group.index))
            }
        }
        for list in builder.synapseLists {
            for k in list.pre.indices {
                let post = internalIndex(Int(list.post[k]))
                guard targets.contains(post) else { continue }
                body(internalIndex(Int(list.pre[k])), post, list.weight[k], list.group[k])
            }
        }
    }

    func draw(_ rule: FixedInDegree, index: Int, _ picker: AliasTable, post: Int, globalPost: Int, _ d: inout Draw) {
        d.pre.removeAll(keepingCapacity: true)
        d.group.removeAll(keepingCapacity: true)
        d.seen.reset()
        var rng = RandomSequence(seed: builder.seed, stream: .connectivity, item: UInt32(globalPost),
                                 salt: UInt32(index))
        while d.pre.count < rule.inDegree {
            let s = rule.sources.count > 1 ? picker.pick(&rng) : 0
            let source = layout[rule.sources[s].population.index]
            let pre = source.first + rng.below(source.size)
            if !rule.autapses && pre == post { continue }
            if !rule.multapses && !d.seen.insert(pre) { continue }
            d.pre.append(pre)
            d.group.append(UInt8(rule.sources[s].group.index))
        }
    }

    func quantised(_ rule: WeightRule, _ rng: inout RandomSequence) -> UInt16 {
        switch rule {
        case .constant(let f):
            return UInt16(quantum(f[0])) | UInt16(quantum(f.count > 1 ? f[1] : 0)) << 8
        case .uniform:
            return UInt16(truncatingIfNeeded: rng.next32())
        }
    }

    func quantum(_ fraction: Double) -> UInt8 {
        UInt8((min(max(fraction, 0), 1) * 255).rounded())
    }

    func internalIndex(_ g: Int) -> Int {
        var lo = 0, hi = layout.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if layout[mid].firstGlobal <= g { lo = mid } else { hi = mid - 1 }
        }
        precondition(g - layout[lo].firstGlobal < layout[lo].size, "neuron index out of range")
        return layout[lo].first + g - layout[lo].firstGlobal
    }
}

/// Walker's alias method (Vose's construction): draws an index with probability proportional to
/// its weight in O(1) — one column, then the column's own index or its alias.
struct AliasTable {
    private var threshold: [UInt32] = []
    private var alias: [Int] = []

    init(_ weights: [Double]) {
        let n = weights.count, total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        var small = scaled.indices.filter { scaled[$0] < 1 }, large = scaled.indices.filter { scaled[$0] >= 1 }
        var probability = [Double](repeating: 1, count: n)
        alias = Array(0..<n)
        while let s = small.popLast(), let l = large.last {
            probability[s] = scaled[s]
            alias[s] = l
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        threshold = probability.map { UInt32(min($0 * 0x1p32, 0xFFFF_FFFF)) }
    }

    func pick(_ rng: inout RandomSequence) -> Int {
        let column = rng.below(threshold.count)
        return rng.next32() < threshold[column] ? column : alias[column]
    }
}
