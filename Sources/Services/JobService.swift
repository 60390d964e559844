import Jobs
import Store

/// The job queue as `dtb jobs` shows it.
public struct JobService {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// Jobs oldest first, only those with `status` when given.
    public func list(status: JobStatus?) throws -> [JobRecord] {
        try JobQueue(database: database).list(status: status)
    }

    /// Job `id`; not found when there is none.
    public func job(id: Int) throws -> JobRecord {
        try JobQueue(database: database).job(id: id)
    }
}
