import Dispatch
import Hemodynamics
import Recorders
import SpikingEngine

/// M members of one twin run side by side over one shared, immutable network: each member is a
/// ``Simulation`` (its own neuron state and noise: member index m under one seed) with its own
/// Balloon–Windkessel BOLD, so memory grows with M by the neuron state only. Members run in
/// parallel, each on one partition, so results do not depend on the thread count.
public final class MemberEnsemble: @unchecked Sendable {
    public let network: Network
    /// Where each member's hyperparameters land (the units' populations and the fitted kinds).
    public let map: HyperparameterMap
    public let members: [Simulation]
    public let bold: [BOLDRecorder]
    /// Threads the members are spread over.
    public let threads: Int

    /// - Parameters:
    ///   - network: built with one partition (members, not partitions, are the parallel work).
    ///   - excitatory: per population, whether it is excitatory (external current lands there).
    ///   - units: the fitted units; nil: all.
    public init(network: Network, excitatory: [Bool], members count: Int, seed: UInt64, kinds: [HyperparameterKind],
                units: [Int]? = nil, bold parameters: BalloonWindkesselParameters, repetitionTime: Double, threads: Int) throws {
        guard count >= 2 else { throw AssimilationError.invalid("an ensemble needs at least 2 members, not \(count)") }
        guard !kinds.isEmpty, Set(kinds).count == kinds.count else {
            throw AssimilationError.invalid("name each fitted hyperparameter once")
        }
        self.network = network
        map = try HyperparameterMap(populations: try UnitPopulations(network: network, excitatory: excitatory), kinds: kinds,
                                    units: units)
        self.threads = max(1, threads)
        let recorders = try (0..<count).map { _ in try BOLDRecorder.checked(network, parameters, repetitionTime) }
        bold = recorders
        members = (0..<count).map { Simulation(network: network, seed: seed, member: UInt32($0), observers: [recorders[$0]]) }
    }

    /// The fitted units.
    public var units: [Int] { map.units }

    /// The fitted hyperparameters per unit, in the order of each member's values.
    public var kinds: [HyperparameterKind] { map.kinds }

    /// Sets member m's hyperparameters: `h[i * kinds.count + k]` is the i-th fitted unit's value of `kinds[k]`.
    public func set(member m: Int, _ h: [Double]) {
        map.apply(h, to: members[m])
    }

    /// Advances every member by `steps` engine steps, members spread over the threads.
    public func advance(steps: Int) {
        let members = self.members, threads = min(self.threads, members.count)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var m = t
            while m < members.count { members[m].run(steps: steps); m += threads }
        }
    }

    /// Member m's latest BOLD sample (one value per unit of the network).
    public func latestBOLD(member m: Int) -> [Double] { bold[m].samples.last ?? [] }
}
