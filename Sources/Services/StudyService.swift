import Foundation
import Jobs
import Plots
import Store
import Studies

/// Virtual-treatment studies: create (and run, or queue for a worker), resume, list, show, draw.
public struct StudyService {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// What `create` did: the study as it stands, and the jobs when it was queued.
    public struct Created: Sendable, Encodable {
        public var study: StudyReport
        /// The `study` jobs, one per run (empty when it ran here).
        public var jobs: [Int]
    }

    /// Creates the study; runs it here, or with `queue` stores it and enqueues one `study` job
    /// per run, so that several `dtb worker` processes (on one machine or several) share
    /// it; the worker that stores the last run completes the study.
    public func create(_ request: StudyRequest, queue: Bool, progress: (String) -> Void) throws -> Created {
        let runner = StudyRunner(database: database)
        let report = try runner.create(request, queueOnly: queue, progress: progress)
        guard queue else { return Created(study: report, jobs: []) }
        return Created(study: report, jobs: try enqueue(report).map(\.job.id))
    }

    /// Stores the study (a bad request stores nothing) and queues its `study` jobs, one per run,
    /// as `dtb serve` does for `POST /api/v1/studies`; the same request again returns the jobs
    /// queued the first time.
    public func queue(_ request: StudyRequest) throws -> [EnqueuedJob] {
        try enqueue(StudyRunner(database: database).create(request, queueOnly: true))
    }

    private func enqueue(_ report: StudyReport) throws -> [EnqueuedJob] {
        try JobQueue(database: database).enqueue(report.parts.map { part in
            try JobRequest(kind: .study, key: "study:\(report.study):\(part.arm):\(part.seed)",
                           payload: StudyJobHandler.Payload(study: report.study, arm: part.arm, seed: part.seed))
        })
    }

    /// Runs what a study lacks and completes it.
    public func resume(_ name: String, threads: Int, progress: (String) -> Void) throws -> StudyReport {
        try StudyRunner(database: database).run(name, threads: threads, progress: progress)
    }

    public func list() throws -> [StudyListing] { try StudyRunner(database: database).list() }

    /// The report of the study named `text`, or else of the study whose row id it is (the API's
    /// `/studies/{study}` takes either).
    public func report(nameOrID text: String) throws -> StudyReport {
        try StudyRunner(database: database).report(try name(of: text))
    }

    /// The report with its figures by file name (`dtb study show --plots` writes the same), for a
    /// study named by name or row id.
    public func figures(nameOrID text: String) throws -> (report: StudyReport, figures: [(name: String, document: SVGDocument)]) {
        let runner = StudyRunner(database: database), name = try name(of: text)
        let report = try runner.report(name)
        return (report, StudyFigures.documents(report, fc: try runner.meanFC(name)))
    }

    /// The study's name: `text` itself when a study has that name, else the name of the study whose id it is.
    private func name(of text: String) throws -> String {
        if try database.connection.query("SELECT 1 FROM study WHERE name = $1", [text]).first != nil { return text }
        guard let id = Int(text), id >= 0,
              let name = try database.connection.query("SELECT name FROM study WHERE id = $1", [id]).first?[0].string else {
            throw StudyError.notFound("study \(text) does not exist (`dtb study list`)")
        }
        return name
    }

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
