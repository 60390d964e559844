// Network construction: populations, synapse groups and connection rules, compiled into compressed
// synapse rows (one table per partition, rows indexed by presynaptic neuron; NEST-like: a partition
// stores the synapses onto its own neurons, so a distributed rank would hold exactly its table).

/// Refers to a population added to a ``NetworkBuilder``.
public struct PopulationID: Hashable, Sendable, Codable {
    public let index: Int
}

/// Refers to a synapse group added to a ``NetworkBuilder``.
public struct SynapseGroupID: Hashable, Sendable, Codable {
    public let index: Int
}

/// What a class of synapses does: which channel(s) a spike drives, the weight that a stored
/// full-scale weight (255) stands for on each, and the delay. Per-synapse weights are stored as
/// 8-bit fractions of the full scale, so a group is the unit of weight scaling and of delay.
public struct SynapseGroup: Sendable, Codable, Equatable {
    public var name: String
    /// One or two channel indices (DTB: AMPA+NMDA from excitatory, GABAa+GABAb from inhibitory).
    public var channels: [Int]
    /// The weight a full-scale synapse adds to each channel's gating variable.
    public var fullScale: [Double]
    /// Transmission delay (ms), rounded to whole steps, at least one step.
    public var delay: Double

    public init(name: String, channels: [Int], fullScale: [Double], delay: Double) {
        precondition((1...2).contains(channels.count) && channels.count == fullScale.count,
                     "a synapse group drives one or two channels, each with its full-scale weight")
        self.name = name; self.channels = channels; self.fullScale = fullScale; self.delay = delay
    }
}

/// How per-synapse weights are drawn, as fractions of the group's full scale, quantised to k/255.
public enum WeightRule: Sendable, Codable, Equatable {
    /// The same fraction on every synapse, per channel.
    case constant([Double])
    /// Independent uniform k/255, k in 0…255, per channel (DTB's uint8 weights).
    case uniform
}

/// One source of a fixed in-degree rule: draws land in `population` with probability proportional
/// to `share`, through synapses of `group`.
public struct Source: Sendable, Codable, Equatable {
    public var population: PopulationID
    public var share: Double
    public var group: SynapseGroupID

    public init(_ population: PopulationID, share: Double = 1, group: SynapseGroupID) {
        self.population = population; self.share = share; self.group = group
    }
}

/// Each neuron of `target` receives exactly `inDegree` synapses: for each, a source population is
/// drawn by share, then a neuron uniformly within it (DTB's sampling; NEST's `fixed_indegree`).
public struct FixedInDegree: Sendable, Codable, Equatable {
    public var target: PopulationID
    public var inDegree: Int
    public var sources: [Source]
    public var autapses: Bool
    public var multapses: Bool
    public var weights: WeightRule

    public init(target: PopulationID, inDegree: Int, sources: [Source], autapses: Bool = false,
                multapses: Bool = true, weights: WeightRule = .constant([1, 1])) {
        precondition(!sources.isEmpty && inDegree >= 0)
        self.target = target; self.inDegree = inDegree; self.sources = sources
        self.autapses = autapses; self.multapses = multapses; self.weights = weights
    }
}

/// Explicit synapses between global neuron indices (populations numbered in the order added).
public struct ConnectionList: Sendable, Codable, Equatable {
    public var pre: [Int]
    public var post: [Int]
    /// Per synapse and channel, the fraction of full scale (quantised to k/255).
    public var weights: [[Double]]
    public var group: SynapseGroupID

    public init(pre: [Int], post: [Int], weights: [[Double]], group: SynapseGroupID) {
        precondition(pre.count == post.count && post.count == weights.count)
        self.pre = pre; self.post = post; self.weights = weights; self.group = group
    }
}

/// Explicit synapses in the engine's own compact form: global neuron indices, the two weight bytes
/// (low: first channel, high: second, each k/255 of full scale) and the group index per synapse.
/// About 11 bytes a synapse where ``ConnectionList`` needs an array of doubles per synapse: the
/// form for large networks built elsewhere (a twin).
public struct SynapseList: Sendable, Equatable {
    public var pre: [UInt32]
    public var post: [UInt32]
    public var weight: [UInt16]
    /// Index of each synapse's group, as returned by ``NetworkBuilder/add(_:)-(SynapseGroup)``.
    public var group: [UInt8]

    public init(pre: [UInt32], post: [UInt32], weight: [UInt16], group: [UInt8]) {
        precondition(pre.count == post.count && post.count == weight.count && weight.count == group.count)
        self.pre = pre; self.post = post; self.weight = weight; self.group = group
    }
}

/// Describes a network (populations, synapse groups, connections) and builds it, deterministically
/// from `seed` whatever the number of partitions.
public struct NetworkBuilder: Sendable {
    /// Integration step (ms).
    public var dt: Double
    public var seed: UInt64
    public private(set) var populations: [Population] = []
    public private(set) var groups: [SynapseGroup] = []
    public private(set) var rules: [FixedInDegree] = []
    public private(set) var lists: [ConnectionList] = []
    public private(set) var synapseLists: [SynapseList] = []

    public init(dt: Double = 0.1, seed: UInt64) {
        self.dt = dt; self.seed = seed
    }

    @discardableResult
    public mutating func add(_ population: Population) -> PopulationID {
        if let first = populations.first {
            precondition(first.model.channels == population.model.channels,
                         "all populations of a network share one channel set")
        }
        populations.append(population)
        return PopulationID(index: populations.count - 1)
    }

    /// Changes a population before the build (a treatment's receptor scaling or stimulus); its
    /// channel set and size stay, so the neurons and synapses keep their places.
    public mutating func update(population index: Int, _ change: (inout Population) -> Void) {
        var p = populations[index]
        change(&p)
        precondition(p.model.channels == populations[index].model.channels && p.size == populations[index].size,
                     "an update keeps a population's channels and size")
        populations[index] = p
    }

    @discardableResult
    public mutating func add(_ group: SynapseGroup) -> SynapseGroupID {
        precondition(groups.count < 256, "at most 256 synapse groups")
        groups.append(group)
        return SynapseGroupID(index: groups.count - 1)
    }

    public mutating func connect(_ rule: FixedInDegree) { rules.append(rule) }

    public mutating func connect(_ list: ConnectionList) { lists.append(list) }

    public mutating func connect(_ list: SynapseList) {
        precondition(list.group.allSatisfy { Int($0) < groups.count }, "a synapse names a group not added")
        synapseLists.append(list)
    }

    /// The identifier of population `index`, in the order the populations were added.
    public func populationID(_ index: Int) -> PopulationID {
        precondition(populations.indices.contains(index), "population index out of range")
        return PopulationID(index: index)
    }

    /// The global index of neuron `i` of `population`.
    public func neuron(_ i: Int, of population: PopulationID) -> Int {
        populations[..<population.index].reduce(0) { $0 + $1.size } + i
    }

    /// Builds the network in `partitions` neuron partitions (one per thread is the usual choice).
    public func build(partitions: Int = defaultThreadCount) -> Network {
        Network(builder: self, partitions: partitions)
    }

    /// Builds the network in `partitions` neuron partitions of which this process updates only
    /// `local` (one process of several, each with its own share): the synapses onto the other
    /// partitions are not drawn here. A partition is the same whichever process holds it, so
    /// the results do not depend on how partitions are shared out.
    public func build(partitions: Int, local: Range<Int>) -> Network {
        Network(builder: self, partitions: partitions, local: local)
    }

    /// The neurons (global indices, one contiguous range) of partitions `local` of a network
    /// built in `partitions` partitions: the targets whose synapses a process holding those
    /// partitions needs, cut as ``build(partitions:local:)`` cuts them (whole 8-neuron blocks of
    /// the padded layout, so a range ends where a population's padding does). Empty when `local`
    /// holds none of the partitions.
    public func neurons(partitions: Int, local: Range<Int>) -> Range<Int> {
        let blocks = populations.reduce(0) { $0 + ($1.size + 7) / 8 }
        let ranges = Network.partitionBlocks(blocks: blocks, requested: partitions)
        let owned = local.clamped(to: 0..<ranges.count)
        guard let first = owned.first, let last = owned.last else { return 0..<0 }
        return neurons(below: ranges[first].lowerBound * 8)..<neurons(below: ranges[last].upperBound * 8)
    }

    /// The neurons whose padded (internal) index is below `index`.
    private func neurons(below index: Int) -> Int {
        var first = 0, count = 0
        for p in populations {
            count += min(max(index - first, 0), p.size)
            first += (p.size + 7) / 8 * 8
        }
        return count
    }
}
