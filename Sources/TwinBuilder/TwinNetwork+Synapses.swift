// What every twin network's synapses keep, however they were made (built, read back from files,
// edited), and the per-unit figures counted from them.
extension TwinNetwork {
    /// The synapses onto `neuron`, as indices into ``edges``; empty for a neuron without inputs
    /// (and for a number that is not one of the network's neurons).
    ///
    /// Every twin network keeps this invariant; the loader checks it and edits preserve it:
    /// - synapses are sorted by target neuron (`post` never decreases), so a neuron's inputs are
    ///   one contiguous range, in the order they were drawn;
    /// - every `pre` and `post` is one of the N neurons and every `group` one of ``groups``;
    /// - no neuron synapses onto itself.
    ///
    /// A neuron may have any number of inputs, 0 included, whatever its population's built
    /// ``TwinPopulation/inDegree``, and may take several from one source (the builder never draws
    /// repeats, a rewiring may make them; the engine delivers each).
    public func synapses(onto neuron: Int) -> Range<Int> {
        firstSynapse(notBefore: neuron)..<firstSynapse(notBefore: neuron + 1)
    }

    /// The first synapse whose target is `neuron` or a later neuron (binary search on the targets).
    private func firstSynapse(notBefore neuron: Int) -> Int {
        let post = edges.post
        var lo = 0, hi = post.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(post[mid]) < neuron { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Throws ``TwinBuildError/inconsistentNetwork(_:)`` naming the first synapse that breaks the
    /// invariant of ``synapses(onto:)``.
    static func checkSynapses(_ edges: TwinEdges, neurons: Int, groups: Int) throws {
        func fail(_ problem: String) -> TwinBuildError { .inconsistentNetwork(problem) }
        var previous = 0
        for k in 0..<edges.count {
            let pre = Int(edges.pre[k]), post = Int(edges.post[k])
            guard post < neurons else { throw fail("synapse \(k) targets neuron \(post) of \(neurons)") }
            guard post >= previous else {
                throw fail("synapse \(k) targets neuron \(post) after synapse \(k - 1) targets neuron \(previous) (synapses must be sorted by target neuron)")
            }
            guard pre < neurons else { throw fail("synapse \(k) comes from neuron \(pre) of \(neurons)") }
            guard pre != post else { throw fail("synapse \(k) connects neuron \(post) to itself") }
            guard Int(edges.group[k]) < groups else { throw fail("synapse \(k) is in group \(edges.group[k]) of \(groups)") }
            previous = post
        }
    }

    /// Per unit: synapses onto it per neuron, and its long-range synapses per source tract group
    /// (those from a neuron of another unit, under that unit's group). `edges` must keep the invariant.
    static func figures(of edges: TwinEdges, populations: [TwinPopulation],
                        unitGroups: [Int]) -> (meanInDegree: [Double], longRangeCounts: [[Int]]) {
        figures(counted: figureCounts(of: edges, populations: populations, unitGroups: unitGroups),
                populations: populations, unitGroups: unitGroups)
    }

    /// The integer counts behind the figures: per unit the synapses onto it, then per unit and
    /// source tract group its long-range synapses (unit-major). Counts of disjoint sets of
    /// synapses add up, which is how the slices of one network are checked together.
    static func figureCounts(of edges: TwinEdges, populations: [TwinPopulation], unitGroups: [Int]) -> [Int] {
        let n = unitGroups.count, groupCount = (unitGroups.max() ?? -1) + 1
        let unitOf = neuronTable(populations) { Int32($0.unit) }
        var counts = [Int](repeating: 0, count: n + n * groupCount)
        for k in 0..<edges.count {
            let v = Int(unitOf[Int(edges.post[k])]), u = Int(unitOf[Int(edges.pre[k])])
            counts[v] += 1
            if u != v { counts[n + v * groupCount + unitGroups[u]] += 1 }
        }
        return counts
    }

    /// The figures of ``figureCounts(of:populations:unitGroups:)``'s counts (the same integer
    /// divisions, so a slice's summed counts give exactly the whole network's figures).
    static func figures(counted: [Int], populations: [TwinPopulation],
                        unitGroups: [Int]) -> (meanInDegree: [Double], longRangeCounts: [[Int]]) {
        let n = unitGroups.count, groupCount = (unitGroups.max() ?? -1) + 1
        var neurons = [Int](repeating: 0, count: n)
        for pop in populations { neurons[pop.unit] += pop.size }
        return ((0..<n).map { Double(counted[$0]) / Double(neurons[$0]) },
                (0..<n).map { Array(counted[(n + $0 * groupCount)..<(n + $0 * groupCount + groupCount)]) })
    }

    /// One value per neuron: `value` of the population holding it (populations cover 0..<N in order).
    static func neuronTable<Value>(_ populations: [TwinPopulation], _ value: (TwinPopulation) -> Value) -> [Value] {
        var table: [Value] = []
        table.reserveCapacity(populations.last.map { $0.firstNeuron + $0.size } ?? 0)
        for pop in populations { table.append(contentsOf: repeatElement(value(pop), count: pop.size)) }
        return table
    }
}
