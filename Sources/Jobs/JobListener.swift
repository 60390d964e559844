import Foundation
import Postgres
import Store

/// What wakes an idle worker.
public enum JobEvent: Sendable, Equatable {
    /// A subject-session gained data (`NOTIFY subject_data`): plan its twins' jobs.
    case subjectData(SubjectDataNotification)
    /// A job was queued (`NOTIFY job_queued`): try to claim it.
    case jobQueued(JobQueuedNotification)
}

/// A connection of its own that listens on `subject_data` and `job_queued`.
///
/// Listening starts in the initialiser, before the worker's first scan of the database, so that
/// nothing committed after the scan began goes unheard.
public final class JobListener {
    private let connection: PostgresConnection

    /// Opens a second connection to `database`'s server and starts listening.
    public init(database: Database) throws {
        connection = try PostgresConnection(database.connection.connectionInfo)
        try connection.listen(SubjectDataNotification.channel)
        try connection.listen(JobQueuedNotification.channel)
    }

    /// The next event, waiting up to `timeout` seconds; nil when none came. A payload that does
    /// not decode is skipped (a sender outside dtb), with `skipped` told why.
    public func next(timeout: Double, skipped: (String) -> Void = { _ in }) throws -> JobEvent? {
        let deadline = Date().addingTimeInterval(timeout)
        while let notification = try connection.waitForNotification(timeout: max(0, deadline.timeIntervalSinceNow)) {
            do {
                if let data = try notification.decode(SubjectDataNotification.self) { return .subjectData(data) }
                if let queued = try notification.decode(JobQueuedNotification.self) { return .jobQueued(queued) }
            } catch {
                skipped("ignored a \(notification.channel) notification whose payload does not decode: \(notification.payload)")
            }
        }
        return nil
    }
}
