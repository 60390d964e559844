import Assimilation
import Foundation

/// The processes sharing one assimilation's ensemble, as the fit sees them (the transport, MPI,
/// lives above): one broadcast from the process that talks to the database, and each process's
/// share of the members. Not thread-safe: the process's one driving thread uses it.
public final class FitSharing: @unchecked Sendable {
    /// The recording process's bytes on every process (the others' argument is ignored).
    public let broadcast: @Sendable ([UInt8]) throws -> [UInt8]
    /// This process's share of an ensemble of the given size.
    public let share: @Sendable (_ members: Int) throws -> MemberShare
    /// Whether a fit was announced: from then on the processes depend on each other, and one
    /// that fails must end them all.
    public private(set) var fitAnnounced = false

    public init(broadcast: @escaping @Sendable ([UInt8]) throws -> [UInt8], share: @escaping @Sendable (Int) throws -> MemberShare) {
        self.broadcast = broadcast; self.share = share
    }

    /// What the recording process announces: the fit every process runs, or nil for none.
    struct Announcement: Codable { var setup: FitSetup? }

    /// Sends the fit (or nil: nothing to run) to the other processes.
    func announce(_ setup: FitSetup?) throws {
        _ = try broadcast(Array(JSONEncoder().encode(Announcement(setup: setup))))
        fitAnnounced = setup != nil
    }

    /// Tells the other processes there is no fit to run (the recording process failed before it
    /// could plan one).
    public func announceNothing() throws { try announce(nil) }

    /// The fit the recording process announced.
    func awaitAnnouncement() throws -> FitSetup? {
        let setup = try JSONDecoder().decode(Announcement.self, from: Data(try broadcast([]))).setup
        fitAnnounced = setup != nil
        return setup
    }
}
