import SpikingEngine

// Edits of a twin's connectivity for virtual treatments (lesions, rewiring, silencing): pure
// compute, each returning a new network that keeps the synapse invariant (``TwinNetwork/synapses(onto:)``)
// with its per-unit figures counted again. Layout, parameters and built in-degrees stay as built.

/// One synapse of a twin as an edit sees it.
public struct TwinSynapse: Sendable, Equatable {
    /// Its position in ``TwinNetwork/edges``.
    public var index: Int
    /// The presynaptic (source) neuron.
    public var pre: Int
    /// The unit of ``pre``.
    public var sourceUnit: Int
    /// The postsynaptic (target) neuron.
    public var post: Int
    /// The unit of ``post``.
    public var targetUnit: Int
    /// The packed weight bytes (see ``TwinEdges``).
    public var weight: UInt16
    /// Its group in ``TwinNetwork/groups``.
    public var group: Int

    /// A synapse between two units, as ``TwinNetwork/longRangeCounts`` counts them.
    public var isLongRange: Bool { sourceUnit != targetUnit }
}

/// Why an edit cannot be made; each description is one line naming the unit, synapse or neuron.
public enum TwinEditError: Error, Equatable, CustomStringConvertible {
    /// A unit name the twin does not have.
    case unknownUnit(String)
    /// A new source that is not one of the twin's neurons.
    case neuronOutOfRange(synapse: Int, neuron: Int, neurons: Int)
    /// A new source that is the synapse's own target.
    case selfSynapse(synapse: Int, neuron: Int)
    /// A new source of the other sign than the old (`excitatory`: the old one's).
    case signChange(synapse: Int, from: Int, to: Int, excitatory: Bool)
    /// An inhibitory source in another unit than the target.
    case inhibitoryLongRange(synapse: Int, neuron: Int)
    /// A source in another unit of a twin without tract delays.
    case noTractDelays(synapse: Int)
    /// A new delay when the twin already has 256 groups.
    case tooManyGroups(synapse: Int)

    public var description: String {
        switch self {
        case let .unknownUnit(name):
            return "unit \(name) is not one of the twin's units"
        case let .neuronOutOfRange(k, neuron, neurons):
            return "synapse \(k) cannot come from neuron \(neuron): the twin has neurons 0 to \(neurons - 1)"
        case let .selfSynapse(k, neuron):
            return "synapse \(k) cannot come from neuron \(neuron), its own target"
        case let .signChange(k, from, to, excitatory):
            let (old, new) = excitatory ? ("excitatory", "inhibitory") : ("inhibitory", "excitatory")
            return "synapse \(k) cannot move from \(old) neuron \(from) to \(new) neuron \(to): a rewiring keeps a synapse's sign"
        case let .inhibitoryLongRange(k, neuron):
            return "synapse \(k) cannot come from inhibitory neuron \(neuron) of another unit: inhibition is local"
        case let .noTractDelays(k):
            return "synapse \(k) cannot come from another unit: the twin was built without tracts, so it has no long-range delays"
        case let .tooManyGroups(k):
            return "synapse \(k) needs a group for a new delay but the twin already has the engine's 256 groups"
        }
    }
}

extension TwinNetwork {
    /// The network without the synapses `remove` picks (e.g. silencing: every synapse from a set
    /// of neurons); the others keep their order.
    public func removingSynapses(where remove: (TwinSynapse) throws -> Bool) rethrows -> TwinNetwork {
        let unitOf = Self.neuronTable(populations) { Int32($0.unit) }
        var kept = TwinEdges()
        kept.pre.reserveCapacity(edges.count); kept.post.reserveCapacity(edges.count)
        kept.weight.reserveCapacity(edges.count); kept.group.reserveCapacity(edges.count)
        for k in 0..<edges.count {
            if try remove(synapse(k, unitOf)) { continue }
            kept.pre.append(edges.pre[k]); kept.post.append(edges.post[k])
            kept.weight.append(edges.weight[k]); kept.group.append(edges.group[k])
        }
        return TwinNetwork(editing: self, groups: groups, edges: kept)
    }

    /// A tract lesion: the network without the long-range synapses from any of the units named
    /// `sources` onto any named `targets`. Synapses within a unit stay, also for a unit in both
    /// sets. Throws ``TwinEditError/unknownUnit(_:)``.
    public func lesioning(from sources: [String], to targets: [String]) throws -> TwinNetwork {
        let from = try units(named: sources), onto = try units(named: targets)
        return removingSynapses { $0.isLongRange && from[$0.sourceUnit] && onto[$0.targetUnit] }
    }

    /// The network with synapses' sources moved: `newSource` gives each synapse's presynaptic
    /// neuron (its own `pre` leaves it as it is). A moved synapse keeps its target and weight and
    /// takes the group the builder gives its new pair: local E→ or I→ within the target's unit,
    /// else the long-range group of the tracts' delay between the two units (appended when no
    /// synapse had that delay). Throws a ``TwinEditError`` for a source that is not a neuron, is
    /// the target itself, has the other sign (E ↔ I), is inhibitory in another unit, or is in
    /// another unit of a twin built without tracts.
    public func rewiringSources(_ newSource: (TwinSynapse) throws -> Int) throws -> TwinNetwork {
        let unitOf = Self.neuronTable(populations) { Int32($0.unit) }
        let excitatory = Self.neuronTable(populations) { $0.excitatory }
        var pre = edges.pre, group = edges.group
        var groups = LongRangeGroups(groups: self.groups, dt: parameters.dt)
        for k in 0..<edges.count {
            let s = synapse(k, unitOf)
            let source = try newSource(s)
            if source == s.pre { continue }
            try checkMove(of: s, to: source, excitatory: excitatory)
            pre[k] = UInt32(source)
            group[k] = try movedGroup(of: s, from: source, in: Int(unitOf[source]), excitatory: excitatory[source], &groups)
        }
        return TwinNetwork(editing: self, groups: groups.groups,
                           edges: TwinEdges(pre: pre, post: edges.post, weight: edges.weight, group: group))
    }

    /// `base` with other synapses (which keep the invariant) and groups, its figures counted again.
    init(editing base: TwinNetwork, groups: [SynapseGroup], edges: TwinEdges) {
        let figures = Self.figures(of: edges, populations: base.populations, unitGroups: base.unitGroups)
        unitNames = base.unitNames
        unitKinds = base.unitKinds
        parameters = base.parameters
        populations = base.populations
        neuronCounts = base.neuronCounts
        inDegrees = base.inDegrees
        meanInDegree = figures.meanInDegree
        sv2aScales = base.sv2aScales
        unitGroups = base.unitGroups
        longRangeCounts = figures.longRangeCounts
        delaySteps = base.delaySteps
        self.groups = groups
        self.edges = edges
        fallbacks = base.fallbacks
        targets = base.targets
    }

    /// A new source is a neuron other than the target, of the old source's sign.
    private func checkMove(of s: TwinSynapse, to source: Int, excitatory: [Bool]) throws {
        guard (0..<neuronCount).contains(source) else {
            throw TwinEditError.neuronOutOfRange(synapse: s.index, neuron: source, neurons: neuronCount)
        }
        guard source != s.post else { throw TwinEditError.selfSynapse(synapse: s.index, neuron: source) }
        guard excitatory[source] == excitatory[s.pre] else {
            throw TwinEditError.signChange(synapse: s.index, from: s.pre, to: source, excitatory: excitatory[s.pre])
        }
    }

    /// The group the builder gives a synapse from `source` (in unit `u`) onto `s`'s target.
    private func movedGroup(of s: TwinSynapse, from source: Int, in u: Int, excitatory: Bool,
                            _ groups: inout LongRangeGroups) throws -> UInt8 {
        if u == s.targetUnit { return excitatory ? 0 : 1 }
        guard excitatory else { throw TwinEditError.inhibitoryLongRange(synapse: s.index, neuron: source) }
        guard let delaySteps else { throw TwinEditError.noTractDelays(synapse: s.index) }
        guard let g = groups.index(steps: delaySteps[unitGroups[s.targetUnit]][unitGroups[u]]) else {
            throw TwinEditError.tooManyGroups(synapse: s.index)
        }
        return g
    }

    private func synapse(_ k: Int, _ unitOf: [Int32]) -> TwinSynapse {
        let pre = Int(edges.pre[k]), post = Int(edges.post[k])
        return TwinSynapse(index: k, pre: pre, sourceUnit: Int(unitOf[pre]), post: post, targetUnit: Int(unitOf[post]),
                           weight: edges.weight[k], group: Int(edges.group[k]))
    }

    /// Per unit, whether `names` names it.
    private func units(named names: [String]) throws -> [Bool] {
        let index = Dictionary(uniqueKeysWithValues: unitNames.enumerated().map { ($1, $0) })
        var picked = [Bool](repeating: false, count: unitNames.count)
        for name in names {
            guard let v = index[name] else { throw TwinEditError.unknownUnit(name) }
            picked[v] = true
        }
        return picked
    }
}

/// A twin's groups with the long-range group of each delay at hand, adding groups for new delays.
private struct LongRangeGroups {
    private(set) var groups: [SynapseGroup]
    private let dt: Double
    private var groupOfSteps: [Int: UInt8] = [:]

    init(groups: [SynapseGroup], dt: Double) {
        self.groups = groups; self.dt = dt
        // Groups 0 and 1 are local (their delay is one step too); the builder's long-range groups follow.
        for g in groups.indices.dropFirst(2) {
            let steps = Int((groups[g].delay / dt).rounded())
            if groups[g] == TwinNetwork.longRangeGroup(steps: steps, dt: dt) { groupOfSteps[steps] = UInt8(g) }
        }
    }

    /// The group of a long-range synapse delayed `steps` steps; nil when it needs a group beyond the engine's 256.
    mutating func index(steps: Int) -> UInt8? {
        if let g = groupOfSteps[steps] { return g }
        guard groups.count <= Int(UInt8.max) else { return nil }
        groups.append(TwinNetwork.longRangeGroup(steps: steps, dt: dt))
        groupOfSteps[steps] = UInt8(groups.count - 1)
        return groupOfSteps[steps]
    }
}
