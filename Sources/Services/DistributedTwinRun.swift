// `mpirun -np R dtb twin run …`: one twin across ranks. Rank 0 alone talks to the database: it
// resolves and checks the run from the nodes (verifying every file's checksum), then broadcasts
// the plan; every rank reads from the verified SONATA files only the synapses onto its own
// partitions, the ranks check the per-unit figures together, each builds and updates only its
// partitions, and the spikes are all-gathered once per window; rank 0 records the run exactly
// as one process would.
import DistributedEngine
import Foundation
import MPIKit
import Store
import TwinBuilder
import Twins

/// A twin run shared over the ranks of an MPI world.
public struct DistributedTwinRun {
    public let world: MPIWorld

    public init(world: MPIWorld) { self.world = world }

    /// What rank 0 broadcasts: the plan, or nil when it could not make one (it reports why; the
    /// other ranks end without a word of their own).
    struct Announcement: Codable { var plan: TwinRunPlan? }

    /// Runs `request` on every rank; rank 0 returns the stored run, the others nil. `database`
    /// is opened by rank 0 only. Throws ``DistributedRunError/elsewhere`` on ranks that fail only
    /// because another rank did (and said so).
    public func run(_ request: TwinRunRequest, database: () throws -> Database, progress: (String) -> Void) throws -> TwinRunInfo? {
        var runner: TwinRunner?
        var nodes: TwinNetwork?
        var announcement = Announcement(plan: nil)
        var failure: Error?
        if world.isRoot {
            do {
                let opened = TwinRunner(database: try database())
                let (plan, loaded) = try opened.prepare(request, targets: 0..<0, progress: progress)
                (runner, nodes, announcement.plan) = (opened, loaded, plan)
            } catch { failure = error }
        }
        let received = try JSONDecoder().decode(Announcement.self, from: Data(try world.broadcast(Array(try JSONEncoder().encode(announcement)))))
        if let failure { throw failure }
        guard let plan = received.plan else { throw DistributedRunError.elsewhere }
        let ready: TwinNetwork
        do {
            ready = try slice(of: plan, nodes: nodes)
            try agree(failed: false)
        } catch let error as DistributedRunError {
            throw error
        } catch {
            try agree(failed: true)
            throw DistributedRunError.rank(world.rank, error)
        }
        try checkFigures(of: ready, plan: plan)
        return try simulate(ready, plan: plan, runner: runner, progress: progress)
    }

    /// This rank's slice of the plan's network: the synapses onto its partitions' neurons (the
    /// nodes first, read again here unless rank 0's prepare read them, to find those neurons).
    private func slice(of plan: TwinRunPlan, nodes: TwinNetwork?) throws -> TwinNetwork {
        let layout = try nodes ?? TwinRunner.network(of: plan, targets: 0..<0)
        let partitionPlan = PartitionPlan(ranks: world.size, threads: plan.threads)
        let mine = layout.networkBuilder().neurons(partitions: partitionPlan.partitions, local: partitionPlan.partitions(of: world.rank))
        return try TwinRunner.network(of: plan, targets: mine)
    }

    /// The stored per-unit figures are those of all the ranks' synapses together (one rank
    /// cannot check them from its slice): the counts are summed over ranks, and every rank
    /// compares them; rank 0 reports a mismatch as one line naming the edges file, the others end
    /// without a word.
    private func checkFigures(of slice: TwinNetwork, plan: TwinRunPlan) throws {
        let summed = try world.allReduce(slice.figureCounts.map { Int64($0) }, .sum).map { Int($0) }
        do {
            try slice.checkFigures(summed: summed)
        } catch {
            guard world.isRoot else { throw DistributedRunError.elsewhere }
            throw TwinError.file("\(plan.files["edges"] ?? "edges.h5"): \(error)")
        }
    }

    /// Every rank says whether it is ready; throws ``DistributedRunError/elsewhere`` on the ready
    /// ones when another is not (so nobody waits in the exchange for a rank that is gone).
    private func agree(failed: Bool) throws {
        let anyFailed = try world.allReduce([failed ? 1 : 0], .max)[0] == 1
        if anyFailed && !failed { throw DistributedRunError.elsewhere }
    }

    private func simulate(_ network: TwinNetwork, plan: TwinRunPlan, runner: TwinRunner?, progress: (String) -> Void) throws -> TwinRunInfo? {
        let partitionPlan = PartitionPlan(ranks: world.size, threads: plan.threads)
        let exchange = MPISpikeExchange(world: world, plan: partitionPlan)
        let share = EngineShare(partitions: partitionPlan.partitions, local: partitionPlan.partitions(of: world.rank), exchange: exchange)
        progress("simulating \(plan.seconds) s at dt \(network.parameters.dt) ms on \(world.size) rank(s) × \(plan.threads) thread(s)")
        let (result, wall) = try TwinRunner.simulate(network, plan: plan, share: share, progress: progress)
        let memory = try world.allGather([Int64(RankMemory.peakResidentBytes())])
        let waits = try world.allGather([Int64(exchange.waitSeconds * 1e6)])
        progress(String(format: "exchanged %d windows, %.1f kB received per rank per window; ", exchange.windows,
                        Double(exchange.bytesReceived) / Double(max(1, exchange.windows)) / 1000)
                 + "waiting in the exchange (s): " + waits.map { String(format: "%.2f", Double($0) / 1e6) }.joined(separator: " ")
                 + "; peak memory per rank (MB): " + memory.map { String(format: "%.0f", Double($0) / 1e6) }.joined(separator: " "))
        guard let runner else { return nil }
        return try runner.record(result, network: network, plan: plan, wall: wall, progress: progress)
    }
}

/// Why a rank of a distributed run ended.
public enum DistributedRunError: Error, CustomStringConvertible {
    /// Another rank failed and reported it; this one ends without a message of its own.
    case elsewhere
    /// This rank failed (a non-root rank could not read the network, say).
    case rank(Int, Error)

    public var description: String {
        switch self {
        case .elsewhere: "another rank failed"
        case .rank(let rank, let error): "rank \(rank): \(error)"
        }
    }
}
