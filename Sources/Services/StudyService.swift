import Foundation
import Jobs
import Store
import Studies

/// Virtual-treatment studies: create (and run, or queue for a worker), resume, list, show, draw.
public struct StudyService {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// What `create` did: the study as it stands, and the job when it was queued.
    public struct Created: Sendable, Encodable {
        public var study: StudyReport
        public var job: Int?
    }

    /// Creates the study; runs it here, or with `queue` stores it and enqueues a `study` job for
    /// `dtb worker` (the runs are then done there, resumably).
    public func create(_ request: StudyRequest, queue: Bool, progress: (String) -> Void) throws -> Created {
        let runner = StudyRunner(database: database)
        let report = try runner.create(request, queueOnly: queue, progress: progress)
        guard queue else { return Created(study: report, job: nil) }
        let job = try JobQueue(database: database).enqueue(JobRequest(kind: .study, key: "study:\(request.name)",
                                                                     payload: StudyJobHandler.Payload(study: request.name)))
        return Created(study: report, job: job.job.id)
    }

    /// Runs what a study lacks and completes it.
    public func resume(_ name: String, threads: Int, progress: (String) -> Void) throws -> StudyReport {
        try StudyRunner(database: database).run(name, threads: threads, progress: progress)
    }

    public func list() throws -> [StudyListing] { try StudyRunner(database: database).list() }

    /// The study's report, and with `plots` its SVG figures written there.
    public func show(_ name: String, plots: URL?) throws -> (report: StudyReport, plots: [String]) {
        let report = try StudyRunner(database: database).report(name)
        guard let plots else { return (report, []) }
        let matrices = try StudyRunner(database: database).meanFC(name)
        return (report, try StudyFigures.write(report, fc: matrices, into: plots).map(\.path))
    }
}

/// Runs `study` jobs: resumes the study named in the payload (idempotent: a complete study is
/// only reported).
public struct StudyJobHandler: JobHandler {
    public var kind: JobKind { .study }
    public var threads: Int
    public init(threads: Int) { self.threads = threads }

    /// `{"study"}`.
    public struct Payload: Codable, Sendable { public var study: String }

    /// The result: `{"study", "status", "runs", "effects"}`.
    public struct Result: Codable, Sendable {
        public var study: String
        public var status: String
        public var runs: Int
        public var effects: Int
    }

    public func run(_ context: JobContext) throws -> JSONValue {
        let payload = try context.payload(Payload.self)
        let report = try StudyRunner(database: context.database).run(payload.study, threads: threads, progress: context.progress)
        return try JSONValue(encoding: Result(study: report.study, status: report.status, runs: report.runs.count, effects: report.effects.count))
    }
}
