import DTBTestSupport
import Foundation
import Jobs
import Postgres
import Store
import Testing

/// The queue against a real server: idempotent enqueue, claims, leases, retries, dependencies.
@Suite struct JobQueueTests {
    @Test func theSameKeyQueuesOneJob() throws {
        let queue = JobQueue(database: try TestDatabase.make())
        let first = try queue.enqueue(testRequest(1))
        let again = try queue.enqueue(testRequest(1))
        #expect(first.created && !again.created)
        #expect(again.job.id == first.job.id)
        #expect(try queue.list().count == 1)
        #expect(first.job.status == .queued && first.job.attempts == 0 && first.job.maxAttempts == 3)
        #expect(first.job.payload == .object(["n": .number(1)]))
    }

    @Test func aClaimLeasesTheOldestRunnableJobAndCountsAnAttempt() throws {
        let queue = JobQueue(database: try TestDatabase.make())
        let jobs = try queue.enqueue([testRequest(1), testRequest(2, dependsOn: .request(0)), testRequest(3)])
        let first = try #require(try queue.claim(worker: "a", leaseSeconds: 30))
        #expect(first.id == jobs[0].job.id && first.status == .running && first.attempts == 1 && first.leaseOwner == "a")
        #expect(first.leaseExpiresAt != nil && first.startedAt != nil)
        // Job 2 waits for job 1, so the next claim skips it.
        #expect(try queue.claim(worker: "b", leaseSeconds: 30)?.id == jobs[2].job.id)
        #expect(try queue.claim(worker: "b", leaseSeconds: 30) == nil)
        try queue.complete(job: first.id, worker: "a", result: .object(["version": .number(2)]))
        #expect(try queue.claim(worker: "b", leaseSeconds: 30)?.id == jobs[1].job.id)
        #expect(try queue.job(id: first.id).result?["version"]?.int == 2)
    }

    /// Only the lease holder may extend, complete or fail a job; once its lease runs out another
    /// worker takes the job over as a new attempt.
    @Test func aWorkerThatLostItsLeaseCannotFinishTheJob() throws {
        let database = try TestDatabase.make()
        let queue = JobQueue(database: database)
        let id = try queue.enqueue(testRequest(1)).job.id
        _ = try #require(try queue.claim(worker: "a", leaseSeconds: 30))
        #expect(try queue.heartbeat(job: id, worker: "a", leaseSeconds: 30))
        #expect(try !queue.heartbeat(job: id, worker: "b", leaseSeconds: 30))
        #expect(try queue.claim(worker: "b", leaseSeconds: 30) == nil)
        // The lease runs out (as if worker a had stopped beating 30 s ago).
        try database.connection.query("UPDATE job SET lease_expires_at = now() - interval '1 second' WHERE id = $1", [id])
        let taken = try #require(try queue.claim(worker: "b", leaseSeconds: 30))
        #expect(taken.id == id && taken.attempts == 2 && taken.leaseOwner == "b")
        #expect(taken.lastError == "worker a lost its lease during attempt 1")
        #expect(try !queue.heartbeat(job: id, worker: "a", leaseSeconds: 30))
        #expect(throws: JobError.leaseLost(job: id, worker: "a")) { try queue.complete(job: id, worker: "a", result: .object([:])) }
        #expect(throws: JobError.leaseLost(job: id, worker: "a")) { try queue.fail(job: id, worker: "a", error: "late") }
        try queue.complete(job: id, worker: "b", result: .object([:]))
        let done = try queue.job(id: id)
        #expect(done.status == .done && done.attempts == 2 && done.finishedAt != nil)
    }

    @Test func aFailedAttemptIsRetriedUntilMaxAttemptsThenFailsItsDependentsToo() throws {
        let queue = JobQueue(database: try TestDatabase.make())
        let jobs = try queue.enqueue([testRequest(1), testRequest(2, dependsOn: .request(0)), testRequest(3, dependsOn: .request(1))])
        let id = jobs[0].job.id
        var statuses: [JobStatus] = []
        while let job = try queue.claim(worker: "a", leaseSeconds: 30) {
            #expect(job.id == id)
            statuses.append(try queue.fail(job: job.id, worker: "a", error: "attempt \(job.attempts) broke"))
        }
        #expect(statuses == [.queued, .queued, .failed])
        let failed = try queue.job(id: id)
        #expect(failed.status == .failed && failed.attempts == 3 && failed.lastError == "attempt 3 broke" && failed.finishedAt != nil)
        for waiting in jobs.dropFirst() {
            let job = try queue.job(id: waiting.job.id)
            #expect(job.status == .failed && job.attempts == 0)
            #expect(job.lastError?.hasPrefix("job \(id), which this job waits for, failed") == true)
        }
        // A job queued later behind the failed one fails at once instead of waiting for ever.
        let late = try queue.enqueue(testRequest(4, dependsOn: .job(id)))
        #expect(late.job.status == .failed)
        #expect(try queue.unfinishedCount() == 0)
        #expect(try queue.list(status: .failed).count == 4)
    }

    /// A worker that died on its last attempt: once the lease runs out the job fails for good.
    @Test func aJobWhoseLastAttemptsWorkerDiedFails() throws {
        let database = try TestDatabase.make()
        let queue = JobQueue(database: database)
        let id = try queue.enqueue(testRequest(1, maxAttempts: 1)).job.id
        _ = try #require(try queue.claim(worker: "a", leaseSeconds: 30))
        try database.connection.query("UPDATE job SET lease_expires_at = now() - interval '1 second' WHERE id = $1", [id])
        #expect(try queue.claim(worker: "b", leaseSeconds: 30) == nil)
        let job = try queue.job(id: id)
        #expect(job.status == .failed && job.lastError == "worker a lost its lease during attempt 1 of 1; no attempts left")
    }

    @Test func badRequestsAreRefusedAndStoreNothing() throws {
        let queue = JobQueue(database: try TestDatabase.make())
        #expect(throws: JobError.self) { try queue.enqueue(JobRequest(kind: .build, key: "", payload: TestPayload(n: 1))) }
        #expect(throws: JobError.self) { try queue.enqueue(testRequest(1, maxAttempts: 0)) }
        #expect(throws: JobError.self) { try queue.enqueue(JobRequest(kind: .build, key: "x", payload: [1, 2])) }
        #expect(throws: JobError.self) { try queue.enqueue([testRequest(1), testRequest(2, dependsOn: .job(999))]) }
        #expect(throws: JobError.self) { try queue.enqueue([testRequest(1, dependsOn: .request(0))]) }
        #expect(try queue.list().isEmpty)
    }

    /// Two workers claiming from one queue at once, each on its own connection: every job is
    /// claimed by exactly one of them, once.
    @Test func twoConcurrentClaimersNeverGetTheSameJob() throws {
        let database = try TestDatabase.make()
        let count = 60
        let ids = try JobQueue(database: database).enqueue((0..<count).map { try testRequest($0) }).map(\.job.id)
        let connectionInfo = database.connection.connectionInfo
        let claimed = Locked<[String: [Int]]>([:]), errors = Locked<[String]>([])
        let group = DispatchGroup()
        for worker in ["a", "b"] {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let queue = JobQueue(connection: try PostgresConnection(connectionInfo))
                    while let job = try queue.claim(worker: worker, leaseSeconds: 60) {
                        claimed.with { $0[worker, default: []].append(job.id) }
                        try queue.complete(job: job.id, worker: worker, result: .object(["by": .string(worker)]))
                    }
                } catch {
                    errors.with { $0.append("\(worker): \(error)") }
                }
            }
        }
        group.wait()
        #expect(errors.current.isEmpty)
        let all = claimed.current.values.flatMap { $0 }
        #expect(all.sorted() == ids.sorted(), "each job claimed exactly once")
        let jobs = try JobQueue(database: database).list()
        #expect(jobs.allSatisfy { $0.status == .done && $0.attempts == 1 })
        for job in jobs { #expect(claimed.current[job.result?["by"]?.string ?? ""]?.contains(job.id) == true) }
    }
}
