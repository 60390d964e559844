import Jobs
import Store
import Twins

/// Applies ``JobRules`` to the database: for each twin (of one subject, or all), the requests
/// its state calls for, enqueued in one transaction per twin.
public struct JobPlanner {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// Plans the twins of `subject` (every twin when nil).
    /// - Returns: the jobs this call queued (not those that were already queued).
    @discardableResult
    public func plan(subject: String? = nil) throws -> [JobRecord] {
        let queue = JobQueue(database: database)
        var queued: [JobRecord] = []
        for state in try TwinDataStateReader(database: database).states(subject: subject) {
            let requests = try JobRules.requests(for: state, existing: queue.job(key:))
            guard !requests.isEmpty else { continue }
            queued += try queue.enqueue(requests).filter(\.created).map(\.job)
        }
        return queued
    }
}
