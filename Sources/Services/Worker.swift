import Foundation
import Jobs
import Store

/// `dtb worker`: turns data notifications into jobs (``JobPlanner``) and runs the queue's jobs
/// with their ``JobHandlers``, one at a time, each under a lease kept alive by a heartbeat.
///
/// It listens first and then plans every twin, so data that arrived while no worker ran is
/// planned too and nothing committed meanwhile goes unheard. With ``WorkerOptions/once`` it runs
/// jobs until none is queued or running (waiting for other workers' jobs to finish or their
/// leases to run out) and returns; otherwise it runs until ``WorkerStop/stop()``.
public struct Worker {
    public let database: Database
    public let options: WorkerOptions
    public let handlers: JobHandlers
    /// Set from any thread to end a running worker after its current job.
    public let stopSignal: WorkerStop
    private let progress: (String) -> Void

    public init(database: Database, options: WorkerOptions, handlers: JobHandlers = .standard,
                stopSignal: WorkerStop = WorkerStop(), progress: @escaping (String) -> Void) {
        self.database = database; self.options = options; self.handlers = handlers
        self.stopSignal = stopSignal; self.progress = progress
    }

    private var queue: JobQueue { JobQueue(database: database) }

    /// Runs until the queue is drained (`once`) or until stopped. Throws for a bad option or a
    /// database error; jobs that fail are recorded in the report, not thrown.
    public func run() throws -> WorkerReport {
        try options.check()
        let listener = try JobListener(database: database)
        var report = WorkerReport(worker: options.workerID)
        progress("worker \(options.workerID): listening on \(SubjectDataNotification.channel) and \(JobQueuedNotification.channel)")
        report.planned += try plan(subject: nil)
        progress("worker \(options.workerID): \(report.planned) jobs queued at start")
        while !stopSignal.isStopped {
            if let job = try queue.claim(worker: options.workerID, leaseSeconds: options.leaseSeconds) {
                report.jobs.append(try attempt(job))
                continue
            }
            if options.once, try queue.unfinishedCount() == 0 { break }
            if let event = try listener.next(timeout: options.pollSeconds, skipped: progress), case .subjectData(let data) = event {
                report.planned += try plan(subject: data.subject)
            }
        }
        progress("worker \(options.workerID): \(report.jobs.count) attempts, \(report.failed) failed for good")
        return report
    }

    /// Plans `subject`'s twins (all twins when nil) and says what it queued.
    private func plan(subject: String?) throws -> Int {
        let queued = try JobPlanner(database: database).plan(subject: subject)
        for job in queued { progress("queued job \(job.id): \(job.idempotencyKey)") }
        return queued.count
    }

    /// Runs one claimed job under a heartbeat and records how the attempt ended.
    private func attempt(_ job: JobRecord) throws -> WorkerReport.Attempt {
        progress("job \(job.id) \(job.kind.rawValue): attempt \(job.attempts) of \(job.maxAttempts) (\(job.idempotencyKey))")
        let heartbeat = LeaseHeartbeat(connection: database.connection, job: job.id, worker: options.workerID,
                                       leaseSeconds: options.leaseSeconds)
        heartbeat.start()
        let outcome = Result { try handle(job) }
        heartbeat.stop()
        var attempt = WorkerReport.Attempt(id: job.id, kind: job.kind, attempt: job.attempts, outcome: .done)
        do {
            switch outcome {
            case .success(let result):
                try queue.complete(job: job.id, worker: options.workerID, result: result)
                attempt.result = result
                progress("job \(job.id) \(job.kind.rawValue): done")
            case .failure(let error):
                let message = Self.oneLine(error)
                attempt.error = message
                attempt.outcome = try queue.fail(job: job.id, worker: options.workerID, error: message) == .failed ? .failed : .retry
                progress("job \(job.id) \(job.kind.rawValue): attempt \(job.attempts) failed\(attempt.outcome == .failed ? " for good" : ", will retry"): \(message)")
            }
        } catch let lost as JobError {
            guard case .leaseLost = lost else { throw lost }
            attempt.outcome = .leaseLost
            attempt.error = lost.description
            progress("job \(job.id) \(job.kind.rawValue): \(lost); its new owner runs it again")
        }
        return attempt
    }

    private func handle(_ job: JobRecord) throws -> JSONValue {
        guard let handler = handlers[job.kind] else { throw MissingJobHandler(kind: job.kind) }
        let dependency = try job.dependsOn.map { try queue.job(id: $0) }
        let kind = job.kind.rawValue, id = job.id, progress = progress
        let context = JobContext(job: job, dependency: dependency, database: database, progress: { progress("job \(id) \(kind): \($0)") })
        return try handler.run(context)
    }

    static func oneLine(_ error: any Error) -> String {
        String(describing: error).replacingOccurrences(of: "\n", with: " ")
    }
}

/// Ends a running ``Worker`` from another thread: it stops after its current job or wait.
public final class WorkerStop: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    public init() {}

    /// Asks the worker to stop.
    public func stop() { lock.withLock { stopped = true } }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { lock.withLock { stopped } }
}
