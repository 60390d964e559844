import Primitives
import TwinBuilder

extension Rewiring {
    /// `network` rewired, the draws keyed by `seed` (a study redraws them per seed, so that the
    /// spread over seeds includes the rewiring's own randomness). `centroids` holds each unit's
    /// MNI centroid (``Model/nearest`` only). Throws a one-line ``InterventionError`` for a
    /// probability outside [0, 1], a neighbour count outside 1 to units − 1, or a twin without
    /// long-range delays.
    public func applied(to network: TwinNetwork, centroids: [[Double]], seed: UInt64) throws -> TwinNetwork {
        guard probability.isFinite, (0...1).contains(probability) else {
            throw InterventionError.invalid("rewiring probability \(g(probability)): give P from 0 to 1")
        }
        let units = network.unitNames.count
        guard network.delaySteps != nil else {
            throw InterventionError.invalid("this twin was built without tracts: it has no long-range synapses to rewire")
        }
        let pools = ExcitatoryPools(network)
        var random = SplitMix64(state: seed ^ 0x7E_3123_0000_0001)
        do {
            switch model {
            case .nearest:
                guard (1..<units).contains(neighbours) else {
                    throw InterventionError.invalid("rewiring neighbours \(neighbours): give 1 to \(units - 1) (the twin has \(units) units)")
                }
                guard centroids.count == units else { throw InterventionError.invalid("rewiring needs a centroid for each of the \(units) units") }
                let nearest = Self.nearestUnits(centroids, count: neighbours)
                return try network.rewiringSources { s in
                    guard s.isLongRange, random.unit() < probability else { return s.pre }
                    return pools.draw(in: nearest[s.targetUnit][Int(random.next() % UInt64(neighbours))], &random) ?? s.pre
                }
            case .degreePreserving:
                return try network.rewiringSources(permutedSources(network, &random))
            case .erdosRenyi:
                let graph = randomGraph(network, pools: pools, &random)
                return try network.rewiringSources { s in
                    guard s.isLongRange, random.unit() < probability, let sources = graph[s.targetUnit], !sources.isEmpty else { return s.pre }
                    return pools.draw(in: sources[Int(random.next() % UInt64(sources.count))], &random) ?? s.pre
                }
            }
        } catch let error as TwinEditError {
            throw InterventionError.invalid("rewiring failed: \(error)")
        }
    }

    /// Per unit, the `count` other units nearest to it by centroid distance (ties by index).
    static func nearestUnits(_ centroids: [[Double]], count: Int) -> [[Int]] {
        centroids.indices.map { v in
            let others = centroids.indices.filter { $0 != v }
            let distance = others.map { u in zip(centroids[u], centroids[v]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            return zip(others, distance).sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(count).map(\.0)
        }
    }

    /// A source per synapse: the long-range synapses chosen with probability P swap their sources
    /// at random among themselves (a permutation keeps every out- and in-degree); a swap that
    /// would bring a source into its target's own unit is undone.
    private func permutedSources(_ network: TwinNetwork, _ random: inout SplitMix64) -> (TwinSynapse) -> Int {
        let unitOf = ExcitatoryPools.unitOfNeuron(network)
        var chosen: [Int] = []
        for k in 0..<network.edges.count {
            let pre = Int(network.edges.pre[k]), post = Int(network.edges.post[k])
            if unitOf[pre] != unitOf[post], random.unit() < probability { chosen.append(k) }
        }
        var sources = chosen.map { Int(network.edges.pre[$0]) }
        for i in stride(from: sources.count - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            let ti = unitOf[Int(network.edges.post[chosen[i]])], tj = unitOf[Int(network.edges.post[chosen[j]])]
            if unitOf[sources[j]] != ti && unitOf[sources[i]] != tj { sources.swapAt(i, j) }
        }
        let moved = Dictionary(uniqueKeysWithValues: zip(chosen, sources))
        return { moved[$0.index] ?? $0.pre }
    }

    /// A directed unit graph with as many connected (target, source) pairs as the twin has: every
    /// target with long-range inputs gets one random source, the other pairs fall uniformly on
    /// the unused ones. Keys: target units; values: their sources (units with E neurons).
    private func randomGraph(_ network: TwinNetwork, pools: ExcitatoryPools, _ random: inout SplitMix64) -> [Int: [Int]] {
        let units = network.unitNames.count
        let sourcesOK = (0..<units).filter { pools.hasNeurons($0) }
        let targets = (0..<units).filter { v in network.longRangeCounts[v].contains { $0 > 0 } }
        let pairs = targets.reduce(0) { total, v in total + network.longRangeCounts[v].filter { $0 > 0 }.count }
        var graph: [Int: Set<Int>] = [:]
        var remaining = pairs
        for v in targets {
            let options = sourcesOK.filter { $0 != v }
            guard !options.isEmpty else { continue }
            graph[v, default: []].insert(options[Int(random.next() % UInt64(options.count))])
            remaining -= 1
        }
        var free = targets.flatMap { v in sourcesOK.filter { $0 != v && !(graph[v]?.contains($0) ?? false) }.map { (v, $0) } }
        while remaining > 0, !free.isEmpty {
            let pick = Int(random.next() % UInt64(free.count))
            graph[free[pick].0, default: []].insert(free[pick].1)
            free.swapAt(pick, free.count - 1)
            free.removeLast()
            remaining -= 1
        }
        return graph.mapValues { $0.sorted() }
    }
}

/// The excitatory neurons of each unit, to draw a uniform new source from.
struct ExcitatoryPools {
    /// Per unit, its E populations' (first neuron, size).
    private let ranges: [[(first: Int, size: Int)]]
    private let sizes: [Int]

    init(_ network: TwinNetwork) {
        var ranges = [[(first: Int, size: Int)]](repeating: [], count: network.unitNames.count)
        for p in network.populations where p.excitatory { ranges[p.unit].append((p.firstNeuron, p.size)) }
        self.ranges = ranges
        sizes = ranges.map { $0.reduce(0) { $0 + $1.size } }
    }

    func hasNeurons(_ unit: Int) -> Bool { sizes[unit] > 0 }

    /// A uniform E neuron of `unit`; nil when it has none.
    func draw(in unit: Int, _ random: inout SplitMix64) -> Int? {
        guard sizes[unit] > 0 else { return nil }
        var k = Int(random.next() % UInt64(sizes[unit]))
        for r in ranges[unit] {
            if k < r.size { return r.first + k }
            k -= r.size
        }
        return nil
    }

    /// Each neuron's unit.
    static func unitOfNeuron(_ network: TwinNetwork) -> [Int32] {
        var table = [Int32](repeating: 0, count: network.neuronCount)
        for p in network.populations { for i in p.firstNeuron..<(p.firstNeuron + p.size) { table[i] = Int32(p.unit) } }
        return table
    }
}
