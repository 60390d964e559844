import Dispatch
import Foundation
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
    /// This process's members when the ensemble is shared over processes; nil: all are here.
    public let share: MemberShare?
    /// The latest BOLD sample of each member another process advances (from the last all-gather).
    private var remoteLatest: [Int: [Double]] = [:]

    /// - Parameters:
    ///   - network: built with one partition (members, not partitions, are the parallel work).
    ///   - excitatory: per population, whether it is excitatory (external current lands there).
    ///   - units: the fitted units; nil: all.
    ///   - share: this process's members when several processes share the ensemble (each member is
    ///     the same wherever it runs, so the fit is too); nil: every member runs here.
    public init(network: Network, excitatory: [Bool], members count: Int, seed: UInt64, kinds: [HyperparameterKind],
                units: [Int]? = nil, bold parameters: BalloonWindkesselParameters, repetitionTime: Double, threads: Int,
                share: MemberShare? = nil) throws {
        guard count >= 2 else { throw AssimilationError.invalid("an ensemble needs at least 2 members, not \(count)") }
        if let share, share.blocks.contains(where: \.isEmpty) || share.blocks.last?.upperBound != count {
            throw AssimilationError.invalid("\(count) members cannot be shared over \(share.blocks.count) processes (give at least one member per process)")
        }
        self.share = share
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

    /// Advances every member by `steps` engine steps, members spread over the threads (only this
    /// process's when shared; then the others' BOLD states are gathered).
    public func advance(steps: Int) {
        let local = self.local
        let members = self.members, threads = min(self.threads, local.count)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var m = local.lowerBound + t
            while m < local.upperBound { members[m].run(steps: steps); m += threads }
        }
        if let share { gatherBOLD(share) }
    }

    /// Every member's BOLD sampler state and latest sample from the process that advanced it.
    private func gatherBOLD(_ share: MemberShare) {
        var mine: [Double] = []
        for m in share.local { MemberShare.pack(bold[m].sampler.state, latest: latestBOLD(member: m), into: &mine) }
        let gathered = share.allGather(mine.withUnsafeBytes { Array($0) })
        let units = bold[0].sampler.model.units, sums = bold[0].sampler.state.windowSum.count
        for (process, bytes) in gathered.enumerated() where process != share.process {
            var values = [Double](repeating: 0, count: bytes.count / MemoryLayout<Double>.stride)
            values.withUnsafeMutableBytes { $0.copyBytes(from: bytes.prefix($0.count)) }
            var at = 0
            for m in share.blocks[process] {
                let (state, latest) = MemberShare.unpack(values[...], at: &at, units: units, sums: sums)
                // The state was taken of a sampler of this very shape, so restoring it cannot fail.
                try? bold[m].sampler.restore(state)
                remoteLatest[m] = latest
            }
        }
    }

    /// Member m's latest BOLD sample (one value per unit of the network).
    public func latestBOLD(member m: Int) -> [Double] {
        if let share, !share.local.contains(m) { return remoteLatest[m] ?? [] }
        return bold[m].samples.last ?? []
    }

    /// The members this process advances: all of them, or its block when shared.
    public var local: Range<Int> { share?.local ?? members.indices }

    /// The engine state of this process's members (``local``), in order.
    public func snapshots() -> [SimulationSnapshot] { local.map { members[$0].snapshot() } }
}
