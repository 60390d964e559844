import Foundation
import Jobs
import Plots
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
        return Created(study: report, job: try enqueue(request.name).job.id)
    }

    /// Stores the study (a bad request stores nothing) and queues its `study` job, as `dtb serve`
    /// does for `POST /api/v1/studies`; the same request again returns the job queued the first time.
    public func queue(_ request: StudyRequest) throws -> EnqueuedJob {
        try StudyRunner(database: database).create(request, queueOnly: true)
        return try enqueue(request.name)
    }

    private func enqueue(_ name: String) throws -> EnqueuedJob {
        try JobQueue(database: database).enqueue(JobRequest(kind: .study, key: "study:\(name)", payload: StudyJobHandler.Payload(study: name)))
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
