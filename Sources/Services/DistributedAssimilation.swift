// `mpirun -np R dtb twin assimilate …`: the ensemble's members shared over ranks. Rank 0 alone
// talks to the database: it plans the fit (calibrating the band, creating the version) and
// broadcasts it; each rank advances its block of members, the members' BOLD states are
// all-gathered every frame and every rank computes the same analysis; each rank checkpoints its
// own members to a file of its own, rank 0 writes the manifest once all are complete, records
// progress and, at the end, the fit.
import Assimilation
import Foundation
import MPIKit
import Store
import Twins

/// An assimilation whose ensemble is shared over the ranks of an MPI world.
public struct DistributedAssimilation {
    public let world: MPIWorld

    public init(world: MPIWorld) { self.world = world }

    /// Runs `request` on every rank; rank 0 returns the outcome, the others nil. `database` is
    /// opened by rank 0 only. A failure once the ranks run the fit together ends every rank (one
    /// line on the failing one), since the others would wait for it forever.
    public func assimilate(_ request: TwinAssimilationRequest, database: () throws -> Database,
                           progress: (String) -> Void) throws -> TwinAssimilationOutcome? {
        let world = self.world
        let sharing = FitSharing(broadcast: { try world.broadcast($0) }, share: { members in
            MemberShare(members: members, processes: world.size, process: world.rank) { bytes in
                do { return try world.allGather(bytes: bytes) } catch { Self.end(world, "member exchange failed: \(error)") }
            }
        })
        do {
            guard world.isRoot else {
                _ = try TwinAssimilator.follow(sharing, fit: request.fit)
                return nil
            }
            let opened: Database
            do { opened = try database() } catch { try sharing.announceNothing(); throw error }
            return try TwinAssimilator(database: opened).assimilate(request, sharing: sharing, progress: progress)
        } catch {
            if sharing.fitAnnounced { Self.end(world, FailureMessage.line(for: error)) }
            throw error
        }
    }

    /// Ends every rank after saying why on this one.
    static func end(_ world: MPIWorld, _ message: String) -> Never {
        FileHandle.standardError.write(Data("dtb: rank \(world.rank): \(message)\n".utf8))
        world.abort(code: 1)
    }
}
