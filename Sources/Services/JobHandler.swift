import Foundation
import SpikingEngine
import Jobs
import Store

/// Runs the jobs of one kind. Registered in ``JobHandlers``; the worker calls ``run(_:)`` with
/// the job's lease held and kept alive by heartbeats.
///
/// A job may run more than once (its worker died, or lost its lease, after the work but before
/// the queue recorded it), so a handler must be idempotent: running it again for the same payload
/// finds what the first run stored (a build reports the identical version `unchanged`).
public protocol JobHandler: Sendable {
    /// The kind it runs.
    var kind: JobKind { get }
    /// Does the job's work and returns its result (stored as `job.result`); a job about a version
    /// names it as `version`, which the jobs that depend on it read. Throws to fail the attempt.
    func run(_ context: JobContext) throws -> JSONValue
}

/// What a handler gets: the job, the job it depended on, the database, a progress line.
public struct JobContext {
    public let job: JobRecord
    /// The job this one waited for (done, with its result), if any.
    public let dependency: JobRecord?
    public let database: Database
    /// Writes one progress line (the worker's stderr).
    public let progress: (String) -> Void

    /// The payload as `type`, decoded from its snake_case keys.
    public func payload<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONStyle.decoder().decode(T.self, from: JSONEncoder().encode(job.payload))
    }

    /// The version the job is about: the payload's `version`, else the `version` in the result of
    /// the job it depended on (assimilate after validate, validate-after after assimilate).
    public func version() throws -> Int {
        if let version = job.payload["version"]?.int { return version }
        if let version = dependency?.result?["version"]?.int { return version }
        throw ServiceError.invalidRequest("job \(job.id) (\(job.kind.rawValue)) names no version, and no job it depends on has one in its result")
    }
}

/// The worker's handlers by kind. A kind without one fails its jobs with "no handler for job kind …".
public struct JobHandlers: Sendable {
    private var handlers: [JobKind: any JobHandler] = [:]

    /// No handlers.
    public init() {}

    /// The handlers `dtb worker` runs with.
    public static var standard: JobHandlers { standard() }

    /// The standard handlers with a twin's first fit as given, simulating on `threads`.
    public static func standard(firstFit: AssimilateJobHandler.FirstFit = .init(), threads: Int = defaultThreadCount) -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(BuildJobHandler())
        handlers.register(ValidateJobHandler(threads: threads))
        handlers.register(AssimilateJobHandler(firstFit: firstFit, threads: threads))
        handlers.register(StudyJobHandler(threads: threads))
        handlers.register(IngestJobHandler())
        return handlers
    }

    /// Adds (or replaces) the handler of `handler.kind`.
    public mutating func register(_ handler: any JobHandler) { handlers[handler.kind] = handler }

    /// The handler of `kind`, or nil.
    public subscript(kind: JobKind) -> (any JobHandler)? { handlers[kind] }
}

/// A job whose kind has no registered handler.
public struct MissingJobHandler: Error, CustomStringConvertible {
    public let kind: JobKind
    public var description: String { "no handler for job kind \(kind.rawValue)" }
}
