import SpikingEngine

/// Reassembling a twin from stored parts (e.g. files written by the SONATA export).
extension TwinNetwork {
    /// A twin from every stored property, built or edited, checked to fit together: valid
    /// parameters, one entry per unit, populations laid out in unit and template order with the
    /// given counts and built in-degrees, valid synapse groups, synapses keeping the invariant of
    /// ``synapses(onto:)`` (sorted by target, in range, none onto itself; any number per neuron),
    /// and mean in-degrees and long-range counts equal to those the synapses give. Throws
    /// ``TwinBuildError/inconsistentNetwork(_:)`` naming the first part that does not fit.
    ///
    /// With `targets`, `edges` are only the synapses onto those neurons (one process's slice,
    /// ``targets``): they must target only those neurons, and the mean in-degrees and long-range
    /// counts, which need every synapse, are left to ``checkFigures(summed:)``.
    public init(unitNames: [String], unitKinds: [UnitKind], parameters: BuildParameters,
                populations: [TwinPopulation], neuronCounts: [[Int]], inDegrees: [[Int]],
                meanInDegree: [Double], sv2aScales: [Double], unitGroups: [Int]? = nil, longRangeCounts: [[Int]],
                delaySteps: [[Int]]?, groups: [SynapseGroup], edges: TwinEdges, fallbacks: FallbacksUsed,
                targets: Range<Int>? = nil) throws {
        try parameters.validate()
        let n = unitNames.count
        try Self.require(n > 0, "it has no units")
        try Self.require(Set(unitNames).count == n, "unit names repeat")
        for (name, count) in [("unit kinds", unitKinds.count), ("mean in-degrees", meanInDegree.count),
                              ("SV2A scales", sv2aScales.count)] {
            try Self.require(count == n, "\(count) \(name) for \(n) units")
        }
        let groupOf = unitGroups ?? Array(0..<n)
        let groupCount = (groupOf.max() ?? -1) + 1
        try Self.require(groupOf.count == n && groupOf.allSatisfy { $0 >= 0 } && Set(groupOf).count == groupCount,
                         "tract groups are not one per unit, numbered 0, 1, ... with every group used")
        try Self.require(longRangeCounts.count == n && longRangeCounts.allSatisfy { $0.count == groupCount }
                         && longRangeCounts.joined().allSatisfy { $0 >= 0 },
                         "long-range counts are not \(n) units × \(groupCount) tract groups of non-negative counts")
        if let delaySteps {
            try Self.requireSquare(delaySteps, groupCount, "delay steps")
            try Self.require(delaySteps.joined().allSatisfy { $0 >= 1 }, "a delay is shorter than one step")
        }
        try Self.checkLayout(populations, unitKinds: unitKinds, parameters: parameters,
                             neuronCounts: neuronCounts, inDegrees: inDegrees)
        try Self.checkGroups(groups, channels: parameters.model.channels.count)
        try Self.checkSynapses(edges, neurons: parameters.neurons, groups: groups.count)
        if let targets {
            try Self.checkSlice(edges, targets: targets, neurons: parameters.neurons)
        } else {
            try Self.checkFigures(meanInDegree, longRangeCounts, unitNames: unitNames,
                                  counted: Self.figures(of: edges, populations: populations, unitGroups: groupOf))
        }

        self.unitNames = unitNames
        self.unitKinds = unitKinds
        self.parameters = parameters
        self.populations = populations
        self.neuronCounts = neuronCounts
        self.inDegrees = inDegrees
        self.meanInDegree = meanInDegree
        self.sv2aScales = sv2aScales
        self.unitGroups = groupOf
        self.longRangeCounts = longRangeCounts
        self.delaySteps = delaySteps
        self.groups = groups
        self.edges = edges
        self.fallbacks = fallbacks
        self.targets = targets ?? 0..<parameters.neurons
    }

    /// The integer counts behind the mean in-degrees and long-range counts, from the synapses this
    /// network holds: per unit its inputs, then per unit and source tract group its long-range
    /// inputs. Summed over the slices of one network (which hold disjoint synapses) they are the
    /// whole network's counts.
    public var figureCounts: [Int] { Self.figureCounts(of: edges, populations: populations, unitGroups: unitGroups) }

    /// Checks the stored mean in-degrees and long-range counts against `summed`, the
    /// ``figureCounts`` of every slice of this network added up (of the whole network: its own).
    /// Throws ``TwinBuildError/inconsistentNetwork(_:)`` naming the first unit that does not fit.
    public func checkFigures(summed: [Int]) throws {
        let n = unitNames.count, groupCount = (unitGroups.max() ?? -1) + 1
        try Self.require(summed.count == n + n * groupCount, "\(summed.count) summed counts for \(n) units × \(groupCount) tract groups")
        try Self.checkFigures(meanInDegree, longRangeCounts, unitNames: unitNames,
                              counted: Self.figures(counted: summed, populations: populations, unitGroups: unitGroups))
    }

    /// Whether ``edges`` holds every synapse onto `neurons` (they lie in ``targets``).
    public func holdsSynapses(onto neurons: Range<Int>) -> Bool {
        neurons.isEmpty || (targets.contains(neurons.lowerBound) && neurons.upperBound <= targets.upperBound)
    }

    /// A slice's targets are neurons of the network and hold every synapse it has (sorted, so the
    /// first and last suffice).
    private static func checkSlice(_ edges: TwinEdges, targets: Range<Int>, neurons: Int) throws {
        try require(targets.lowerBound >= 0 && targets.upperBound <= neurons, "targets \(targets) are not neurons of the \(neurons)")
        guard let first = edges.post.first, let last = edges.post.last else { return }
        try require(targets.contains(Int(first)) && targets.contains(Int(last)),
                    "the slice of targets \(targets) holds synapses onto neurons \(first) to \(last)")
    }

    private static func require(_ condition: Bool, _ problem: @autoclosure () -> String) throws {
        guard condition else { throw TwinBuildError.inconsistentNetwork(problem()) }
    }

    private static func requireSquare(_ m: [[Int]], _ n: Int, _ name: String) throws {
        try require(m.count == n && m.allSatisfy { $0.count == n }, "\(name) are not \(n)×\(n)")
        try require(m.joined().allSatisfy { $0 >= 0 }, "\(name) has a negative entry")
    }

    /// Populations in unit order, each unit's in its template's order, numbered contiguously
    /// from neuron 0 to N.
    private static func checkLayout(_ populations: [TwinPopulation], unitKinds: [UnitKind], parameters p: BuildParameters,
                                    neuronCounts: [[Int]], inDegrees: [[Int]]) throws {
        try require(neuronCounts.count == unitKinds.count && inDegrees.count == unitKinds.count,
                    "neuron counts or in-degrees do not have one row per unit")
        var next = 0, k = 0
        for (v, kind) in unitKinds.enumerated() {
            let t = kind == .cortical ? p.cortical : p.subcortical
            try require(neuronCounts[v].count == t.count && inDegrees[v].count == t.count,
                        "unit \(v) does not have one neuron count and in-degree per \(kind) population")
            for q in 0..<t.count {
                // Distinct presynaptic neurons: an in-degree never reaches N (which also bounds size × in-degree).
                try require(neuronCounts[v][q] >= 1 && (0..<p.neurons).contains(inDegrees[v][q]),
                            "unit \(v) population \(t.names[q]) has a bad size or in-degree")
                let expected = TwinPopulation(unit: v, name: t.names[q], size: neuronCounts[v][q], firstNeuron: next,
                                              inDegree: inDegrees[v][q], excitatory: t.excitatory[q])
                try require(k < populations.count && populations[k] == expected,
                            "population \(k) is not \(expected) (unit \(v), template position \(q))")
                next += expected.size
                k += 1
            }
        }
        try require(k == populations.count, "\(populations.count) populations where the units have \(k)")
        try require(next == p.neurons, "the populations hold \(next) neurons, the parameters say N = \(p.neurons)")
        try require(next <= Int(UInt32.max), "N = \(next) exceeds the 2³² neurons one twin network can index")
    }

    private static func checkGroups(_ groups: [SynapseGroup], channels: Int) throws {
        try require(groups.count >= 2 && groups.count <= Int(UInt8.max) + 1, "\(groups.count) synapse groups (2 to 256 expected)")
        for (g, group) in groups.enumerated() {
            try require((1...2).contains(group.channels.count) && group.fullScale.count == group.channels.count
                        && group.channels.allSatisfy { (0..<channels).contains($0) }
                        && group.delay.isFinite && group.delay > 0,
                        "synapse group \(g) (\(group.name)) has bad channels, full scales or delay")
        }
    }

    /// The stored per-unit figures are those the synapses give (exactly: the same integer counts
    /// and divisions).
    private static func checkFigures(_ meanInDegree: [Double], _ longRangeCounts: [[Int]], unitNames: [String],
                                     counted: (meanInDegree: [Double], longRangeCounts: [[Int]])) throws {
        for (v, name) in unitNames.enumerated() {
            try require(meanInDegree[v] == counted.meanInDegree[v],
                        "unit \(name) has mean in-degree \(meanInDegree[v]) where its synapses give \(counted.meanInDegree[v])")
            if let g = longRangeCounts[v].indices.first(where: { longRangeCounts[v][$0] != counted.longRangeCounts[v][$0] }) {
                throw TwinBuildError.inconsistentNetwork(
                    "unit \(name) has \(longRangeCounts[v][g]) long-range synapses from tract group \(g) where its synapses give \(counted.longRangeCounts[v][g])")
            }
        }
    }
}
