import Foundation
import Jobs
import Store
import Studies

/// Virtual-treatment studies: create (and run, or queue for a worker), resume, list, show, draw.
public struct StudyService {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// What `create` did: the study as it stands, and the jobs when it was queued.
    public struct Created: Sendable, Encodable {
        public var study: StudyReport
        /// One `study` job per run the study lacks (empty when it ran here or was complete).
        public var jobs: [Int]
    }

    /// Creates the study; runs it here, or with `queue` stores it and enqueues one `study` job
    /// per run it lacks, so that several `dtb worker` processes (on one machine or several) share
    /// it; the worker that stores the last run completes the study.
    public func create(_ request: StudyRequest, queue: Bool, progress: (String) -> Void) throws -> Created {
        let runner = StudyRunner(database: database)
        let report = try runner.create(request, queueOnly: queue, progress: progress)
        guard queue else { return Created(study: report, jobs: []) }
        let requests = try report.missingParts.map { part in
            try JobRequest(kind: .study, key: "study:\(request.name):\(part.arm):\(part.seed)",
                           payload: StudyJobHandler.Payload(study: request.name, arm: part.arm, seed: part.seed))
        }
        return Created(study: report, jobs: try JobQueue(database: database).enqueue(requests).map(\.job.id))
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

/// Runs `study` jobs: one run of the study named in the payload (idempotent: a stored run or a
/// complete study is only reported).
public struct StudyJobHandler: JobHandler {
    public var kind: JobKind { .study }
    public var threads: Int
    public init(threads: Int) { self.threads = threads }

    /// `{"study", "arm", "seed"}`: one run of the study; without arm and seed, all it lacks.
    public struct Payload: Codable, Sendable {
        public var study: String
        public var arm: Int?
        public var seed: Int?
    }

    /// The result: `{"study", "status", "runs", "effects"}`.
    public struct Result: Codable, Sendable {
        public var study: String
        public var status: String
        public var runs: Int
        public var effects: Int
    }

    public func run(_ context: JobContext) throws -> JSONValue {
        let payload = try context.payload(Payload.self)
        let part = payload.arm.flatMap { arm in payload.seed.map { StudyPart(arm: arm, seed: $0) } }
        let report = try StudyRunner(database: context.database).run(payload.study, part: part, threads: threads, progress: context.progress)
        return try JSONValue(encoding: Result(study: report.study, status: report.status, runs: report.runs.count, effects: report.effects.count))
    }
}
