import CommandTestSupport
import DTBTestSupport
import Foundation
import Jobs
import Postgres
import Services
import Store
import Testing
import Twins

/// The worker end to end: notifications and scans become jobs, builds become versions, failures
/// are retried and recorded. Real server, real builds; the worker in process or as `dtb`.
@Suite(.requires(.atlasMirror)) struct WorkerTests {
    /// A running worker hears the ingest's `NOTIFY subject_data` (no scan finds it: the worker
    /// had planned and gone idle before the data came) and rebuilds the twin as version 2.
    @Test func anIngestNotificationBecomesABuildJobAndANewVersion() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        try subject.buildTwin()
        let connectionInfo = subject.database.connection.connectionInfo, home = subject.database.home
        let lines = Locked<[String]>([]), report = Locked<Result<WorkerReport, any Error>?>(nil)
        let stop = WorkerStop()
        Thread.detachNewThread {
            var options = WorkerOptions()
            options.pollSeconds = 0.2
            options.leaseSeconds = 30
            let outcome = Result {
                let database = try Database(connection: PostgresConnection(connectionInfo), home: home, origin: .url(connectionInfo))
                return try Worker(database: database, options: options, stopSignal: stop) { line in lines.with { $0.append(line) } }.run()
            }
            report.with { $0 = outcome }
        }
        defer { stop.stop() }
        #expect(try await eventually { lines.current.contains { $0.hasSuffix("0 jobs queued at start") } || report.current != nil })
        try subject.ingestNewAnatomy()
        let queue = JobQueue(database: subject.database)
        #expect(try await eventually { try queue.list(status: .done).count == 1 || report.current != nil }, "\(lines.current)")
        stop.stop()
        #expect(try await eventually(seconds: 60) { report.current != nil })
        let finished = try #require(try report.current?.get())
        #expect(finished.planned == 1 && finished.jobs.map(\.outcome) == [.done])
        let job = try #require(try queue.list().first)
        #expect(job.kind == .build && job.idempotencyKey.hasPrefix("build:twin=") && job.result?["version"]?.int == 2)
        #expect(try subject.versions() == [1, 2])
        let history = try TwinQueries(database: subject.database).history(sampleTwin)
        #expect(history.versions[1].changes.contains { $0.kind == "data" && $0.what == "synaptic_density" && $0.to?.contains("ses-02") == true })
        #expect(!history.versions[1].changes.contains { $0.kind == "parameter" })
    }

    /// Data that came while no worker ran: `dtb worker --once` finds it by its scan, runs the
    /// build and exits 0; `dtb jobs` shows the job done.
    @Test func workerOnceScansForMissedDataAndDrainsTheQueue() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        try subject.buildTwin()
        try subject.ingestNewAnatomy()
        let dtb = try InProcessDTB(database: subject.database)
        let run = dtb.run(["worker", "--once", "--lease-seconds", "30", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONStyle.decoder().decode(WorkerReport.self, from: Data(run.stdout.utf8))
        #expect(report.planned == 1 && report.jobs.count == 1 && report.jobs[0].outcome == .done)
        #expect(report.jobs[0].result?["action"]?.string == "created" && report.jobs[0].result?["version"]?.int == 2)
        #expect(try subject.versions() == [1, 2])
        let jobs = try JSONSerialization.jsonObject(with: Data(dtb.run(["jobs", "--status", "done", "--json"]).stdout.utf8)) as? [[String: Any]]
        #expect(jobs?.count == 1 && jobs?.first?["status"] as? String == "done" && jobs?.first?["attempts"] as? Int == 1)
        #expect((jobs?.first?["payload"] as? [String: Any])?["twin"] as? String == sampleTwin)
        // Nothing new: a second run plans nothing and runs nothing.
        let again = dtb.run(["worker", "--once", "--json"])
        #expect(again.status == 0)
        #expect(try JSONStyle.decoder().decode(WorkerReport.self, from: Data(again.stdout.utf8)).jobs.isEmpty)
        #expect(try subject.versions() == [1, 2])
    }

    /// Planning is a function of the database: twice, or once per copy of the same notification,
    /// it queues the build once; after the build nothing is new.
    @Test func planningTwiceQueuesOneJob() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        try subject.buildTwin()
        let planner = JobPlanner(database: subject.database)
        #expect(try planner.plan().isEmpty, "a twin built from the newest data needs nothing")
        try subject.ingestNewAnatomy()
        let first = try planner.plan(subject: "sample")
        #expect(first.map(\.kind) == [.build])
        #expect(try planner.plan(subject: "sample").isEmpty)
        #expect(try planner.plan().isEmpty)
        #expect(try JobQueue(database: subject.database).list().map(\.id) == first.map(\.id))
        let payload = try JSONStyle.decoder().decode(TwinJobPayload.self, from: JSONEncoder().encode(first[0].payload))
        #expect(payload.twin == sampleTwin && payload.measures?["synaptic_density"] != nil)
    }

    /// A build that cannot succeed (its twin is unknown) is tried max_attempts times, then stays
    /// failed with its error; the worker exits 1 and `dtb jobs` shows why.
    @Test func aFailingJobIsRetriedThenFailsForGood() throws {
        let database = try TestDatabase.make()
        let payload = TwinJobPayload(twin: "nosuch", twinId: 999, measures: [:])
        let id = try JobQueue(database: database).enqueue(JobRequest(kind: .build, key: "build:twin=999:", payload: payload)).job.id
        let dtb = try InProcessDTB(database: database)
        let run = dtb.run(["worker", "--once", "--json"])
        #expect(run.status == 1)
        #expect(run.stderr.hasSuffix("dtb: 1 job failed for good: job \(id) (build)\n"), "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "will retry").count == 3, "two retries before the last attempt")
        let jobs = try JSONSerialization.jsonObject(with: Data(dtb.run(["jobs", "--json"]).stdout.utf8)) as? [[String: Any]]
        let job = try #require(jobs?.first)
        #expect(job["status"] as? String == "failed" && job["attempts"] as? Int == 3 && job["max_attempts"] as? Int == 3)
        #expect((job["last_error"] as? String)?.contains("twin 'nosuch' does not exist") == true)
        #expect(job["finished_at"] as? String != nil && job["result"] == nil)
        #expect(dtb.run(["jobs", "--status", "queued"]).stdout == "no jobs queued\n")
    }

    /// A kind without a handler fails cleanly, attempt by attempt.
    @Test func aKindWithoutAHandlerFailsItsJobs() throws {
        let database = try TestDatabase.make()
        let id = try JobQueue(database: database).enqueue(testRequest(1)).job.id
        var options = WorkerOptions()
        options.once = true
        let report = try Worker(database: database, options: options, handlers: JobHandlers()) { _ in }.run()
        #expect(report.jobs.map(\.outcome) == [.retry, .retry, .failed])
        #expect(report.jobs.allSatisfy { $0.error == "no handler for job kind build" })
        #expect(try JobQueue(database: database).job(id: id).lastError == "no handler for job kind build")
    }

    @Test func badWorkerOptionsAreOneLineErrors() throws {
        let database = try TestDatabase.make()
        let dtb = try InProcessDTB(database: database)
        let before = try tableCounts(database.connection)
        let cases: [([String], String)] = [
            (["--lease-seconds", "0"], "dtb: --lease-seconds 0: a lease lasts from 1 s to 86400 s (a day)\n"),
            (["--lease-seconds=-5"], "dtb: --lease-seconds -5: a lease lasts from 1 s to 86400 s (a day)\n"),
            (["--lease-seconds", "nan"], "dtb: --lease-seconds nan: a lease lasts from 1 s to 86400 s (a day)\n"),
            (["--lease-seconds", "inf"], "dtb: --lease-seconds inf: a lease lasts from 1 s to 86400 s (a day)\n"),
            (["--poll-seconds", "0"], "dtb: --poll-seconds 0: the poll interval is from 0.05 s to 3600 s\n"),
            (["--poll-seconds", "nan"], "dtb: --poll-seconds nan: the poll interval is from 0.05 s to 3600 s\n"),
        ]
        for (options, message) in cases {
            let run = dtb.run(["worker", "--once"] + options)
            #expect(run.status == 1 && run.stdout.isEmpty)
            #expect(run.stderr == message)
        }
        let status = dtb.run(["jobs", "--status", "sleeping"])
        #expect(status.status == 64 && status.stderr.hasPrefix("Error: "))
        #expect(try tableCounts(database.connection) == before)
    }
}
