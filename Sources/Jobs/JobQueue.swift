import Foundation
import Postgres
import Store

/// The durable job queue in the `job` table (`Schema/0005_jobs.sql`).
///
/// Every time is the database server's `now()`, so workers on machines with different clocks
/// agree on leases. A job is leased to one worker at a time: ``claim(worker:leaseSeconds:)``
/// takes the oldest runnable job with `FOR UPDATE SKIP LOCKED`, so concurrent claimers never get
/// the same one; the worker extends the lease with ``heartbeat(job:worker:leaseSeconds:)``, and
/// only the lease holder can ``complete(job:worker:result:)`` or ``fail(job:worker:error:)`` it.
/// A job whose lease ran out is claimed again, so a job may run more than once and its handler
/// must be idempotent.
public struct JobQueue {
    /// The connection every call runs on (one per thread: connections are not shared).
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }
    public init(database: Database) { connection = database.connection }

    // MARK: Enqueue

    /// Queues one job, or returns the job already queued with its key.
    @discardableResult
    public func enqueue(_ request: JobRequest) throws -> EnqueuedJob {
        try enqueue([request])[0]
    }

    /// Queues `requests` in one transaction, in order (a request may depend on an earlier one by
    /// index); each whose key is already queued returns that job and changes nothing. A job that
    /// depends on a job that already failed is failed at once, so that it never waits for ever.
    public func enqueue(_ requests: [JobRequest]) throws -> [EnqueuedJob] {
        try connection.transaction { connection in
            var done: [EnqueuedJob] = []
            for (index, request) in requests.enumerated() {
                done.append(try insert(request, dependsOn: dependencyID(request.dependsOn, index: index, enqueued: done)))
            }
            return done
        }
    }

    private func dependencyID(_ dependency: JobRequest.Dependency?, index: Int, enqueued: [EnqueuedJob]) throws -> Int? {
        switch dependency {
        case nil: return nil
        case .job(let id): return id
        case .request(let earlier):
            guard earlier >= 0, earlier < index else {
                throw JobError.invalid("request \(index) depends on request \(earlier), which does not come before it")
            }
            return enqueued[earlier].job.id
        }
    }

    private func insert(_ request: JobRequest, dependsOn: Int?) throws -> EnqueuedJob {
        guard !request.key.isEmpty else { throw JobError.invalid("a job needs a non-empty idempotency key") }
        guard request.maxAttempts >= 1 else { throw JobError.invalid("job \(request.key): max_attempts must be at least 1") }
        guard case .object = request.payload else { throw JobError.invalid("job \(request.key): the payload must be a JSON object") }
        if let dependsOn, try connection.query("SELECT 1 FROM job WHERE id = $1", [dependsOn]).isEmpty {
            throw JobError.invalid("job \(request.key) depends on job \(dependsOn), which does not exist")
        }
        let payload = PostgresJSON(text: String(decoding: try JSONEncoder.sorted.encode(request.payload), as: UTF8.self))
        let inserted = try connection.query("""
            INSERT INTO job (kind, idempotency_key, payload, depends_on, max_attempts) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
            """, [request.kind, request.key, payload, dependsOn, request.maxAttempts]).first?[0].int
        guard let inserted else { return EnqueuedJob(job: try existingJob(key: request.key), created: false) }
        try failIfDependencyFailed(inserted)
        try connection.notify(JobQueuedNotification(job: inserted, kind: request.kind))
        return EnqueuedJob(job: try job(id: inserted), created: true)
    }

    private func failIfDependencyFailed(_ id: Int) throws {
        try connection.query("""
            UPDATE job j SET status = 'failed', finished_at = now(),
                   last_error = format('job %s, which this job waits for, had failed when this job was queued', d.id)
              FROM job d WHERE j.id = $1 AND d.id = j.depends_on AND d.status = 'failed'
            """, [id])
    }

    // MARK: Claim, heartbeat, complete, fail

    /// Leases the oldest runnable job to `worker` for `leaseSeconds`: a queued job, or a running
    /// one whose lease ran out (its owner is gone), whose dependency (if any) is done. One
    /// transaction; the claim counts as an attempt. Running jobs out of attempts whose lease ran
    /// out are failed first. Returns nil when nothing is runnable now.
    public func claim(worker: String, leaseSeconds: Double) throws -> JobRecord? {
        try connection.transaction { connection in
            try failAbandoned()
            let id = try connection.query("""
                WITH candidate AS (
                    SELECT j.id AS job_id FROM job j
                     WHERE (j.status = 'queued' OR (j.status = 'running' AND j.lease_expires_at < now() AND j.attempts < j.max_attempts))
                       AND (j.depends_on IS NULL OR EXISTS (SELECT 1 FROM job d WHERE d.id = j.depends_on AND d.status = 'done'))
                     ORDER BY j.created_at, j.id
                     LIMIT 1
                       FOR UPDATE OF j SKIP LOCKED)
                UPDATE job SET status = 'running', attempts = job.attempts + 1, lease_owner = $1,
                       lease_expires_at = now() + make_interval(secs => $2), heartbeat_at = now(), started_at = now(),
                       last_error = CASE WHEN job.status = 'running'
                                         THEN format('worker %s lost its lease during attempt %s', job.lease_owner, job.attempts)
                                         ELSE job.last_error END
                  FROM candidate WHERE job.id = candidate.job_id
                RETURNING job.id
                """, [worker, leaseSeconds]).first?[0].int
            return try id.map { try job(id: $0) }
        }
    }

    /// Fails the running jobs whose lease ran out after their last attempt (their workers died
    /// each time), and the jobs that wait for them.
    private func failAbandoned() throws {
        let ids = try connection.query("""
            UPDATE job SET status = 'failed', finished_at = now(), lease_expires_at = NULL,
                   last_error = format('worker %s lost its lease during attempt %s of %s; no attempts left', lease_owner, attempts, max_attempts)
             WHERE status = 'running' AND lease_expires_at < now() AND attempts >= max_attempts
            RETURNING id
            """).compactMap { $0[0].int }
        for id in ids { try failDependents(of: id) }
    }

    /// Extends `worker`'s lease of `job` to `leaseSeconds` from now. Returns false, changing
    /// nothing, when the job is no longer running under `worker` (its lease ran out and another
    /// worker took it, or it finished).
    public func heartbeat(job: Int, worker: String, leaseSeconds: Double) throws -> Bool {
        try !connection.query("""
            UPDATE job SET lease_expires_at = now() + make_interval(secs => $3), heartbeat_at = now()
             WHERE id = $1 AND status = 'running' AND lease_owner = $2 RETURNING id
            """, [job, worker, leaseSeconds]).isEmpty
    }

    /// Records `result` and marks `job` done; throws ``JobError/leaseLost(job:worker:)`` when
    /// `worker` does not hold it.
    public func complete(job: Int, worker: String, result: JSONValue) throws {
        let text = String(decoding: try JSONEncoder.sorted.encode(result), as: UTF8.self)
        let updated = try connection.query("""
            UPDATE job SET status = 'done', result = $3, finished_at = now(), lease_expires_at = NULL
             WHERE id = $1 AND status = 'running' AND lease_owner = $2 RETURNING id
            """, [job, worker, PostgresJSON(text: text)])
        guard !updated.isEmpty else { throw JobError.leaseLost(job: job, worker: worker) }
    }

    /// Records `error` for the attempt: the job goes back to the queue when it has attempts left,
    /// else it fails for good, and so do the jobs that wait for it. One transaction; throws
    /// ``JobError/leaseLost(job:worker:)`` when `worker` does not hold the job.
    /// - Returns: the job's new status, `queued` or `failed`.
    @discardableResult
    public func fail(job: Int, worker: String, error: String) throws -> JobStatus {
        try connection.transaction { connection in
            let status = try connection.query("""
                UPDATE job SET last_error = $3, lease_expires_at = NULL,
                       status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                       finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END
                 WHERE id = $1 AND status = 'running' AND lease_owner = $2 RETURNING status
                """, [job, worker, error]).first?[0].string.flatMap(JobStatus.init(rawValue:))
            guard let status else { throw JobError.leaseLost(job: job, worker: worker) }
            if status == .failed { try failDependents(of: job) }
            return status
        }
    }

    /// Fails every queued job that waits for `job`, directly or through others.
    private func failDependents(of job: Int) throws {
        try connection.query("""
            WITH RECURSIVE waiting (id) AS (
                SELECT id FROM job WHERE depends_on = $1
                UNION SELECT j.id FROM job j JOIN waiting w ON j.depends_on = w.id)
            UPDATE job SET status = 'failed', finished_at = now(),
                   last_error = format('job %s, which this job waits for, failed', $1::bigint)
             WHERE id IN (SELECT id FROM waiting) AND status = 'queued'
            """, [job])
    }

    // MARK: Reading

    /// Jobs, oldest first; only those with `status` when one is given.
    public func list(status: JobStatus? = nil) throws -> [JobRecord] {
        try connection.query("SELECT \(JobRecord.columns) FROM job WHERE $1::text IS NULL OR status = $1 ORDER BY id", [status])
            .map(JobRecord.init(row:))
    }

    /// The job `id`.
    public func job(id: Int) throws -> JobRecord {
        guard let row = try connection.query("SELECT \(JobRecord.columns) FROM job WHERE id = $1", [id]).first else {
            throw JobError.notFound(job: id)
        }
        return try JobRecord(row: row)
    }

    /// The job queued with `key`, or nil.
    public func job(key: String) throws -> JobRecord? {
        try connection.query("SELECT \(JobRecord.columns) FROM job WHERE idempotency_key = $1", [key]).first.map(JobRecord.init(row:))
    }

    private func existingJob(key: String) throws -> JobRecord {
        guard let found = try job(key: key) else { throw JobError.invalid("no job has the key \(key)") }
        return found
    }

    /// How many jobs are queued or running: work that a worker draining the queue still waits for.
    public func unfinishedCount() throws -> Int {
        try connection.query("SELECT count(*) FROM job WHERE status IN ('queued', 'running')").scalar().int ?? 0
    }
}

extension JSONEncoder {
    /// Sorted keys and nothing converted: payloads and results are stored as their handlers wrote them.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
