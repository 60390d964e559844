import Jobs

/// What a worker did: `dtb worker --json`.
///
/// JSON: `{"worker", "planned", "jobs": [{"id", "kind", "attempt", "outcome": "done"|"retry"|"failed"|"lease_lost",
/// "error"?, "result"?}], "failed"}`.
public struct WorkerReport: Sendable, Codable, Equatable {
    /// One attempt at one job.
    public struct Attempt: Sendable, Codable, Equatable {
        /// How an attempt ended.
        public enum Outcome: String, Sendable, Codable {
            /// Completed; the result is recorded.
            case done
            /// Failed with attempts left: back in the queue.
            case retry
            /// Failed for good.
            case failed
            /// The lease ran out before the attempt finished; another worker owns the job.
            case leaseLost = "lease_lost"
        }
        public var id: Int
        public var kind: JobKind
        public var attempt: Int
        public var outcome: Outcome
        public var error: String?
        public var result: JSONValue?
    }

    /// The lease owner name the worker used.
    public var worker: String
    /// Jobs the worker's planning queued.
    public var planned: Int
    /// The attempts it made, in order.
    public var jobs: [Attempt]
    /// How many of its attempts failed for good.
    public var failed: Int { jobs.filter { $0.outcome == .failed }.count }

    enum CodingKeys: String, CodingKey { case worker, planned, jobs, failed }

    public init(worker: String) { self.worker = worker; planned = 0; jobs = [] }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        worker = try container.decode(String.self, forKey: .worker)
        planned = try container.decode(Int.self, forKey: .planned)
        jobs = try container.decode([Attempt].self, forKey: .jobs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(worker, forKey: .worker)
        try container.encode(planned, forKey: .planned)
        try container.encode(jobs, forKey: .jobs)
        try container.encode(failed, forKey: .failed)
    }
}
