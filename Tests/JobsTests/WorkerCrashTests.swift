import DTBTestSupport
import Foundation
import Jobs
import Services
import Store
import Testing

/// `kill -9` of a worker in the middle of a build (rows written, files in place, nothing
/// committed): once its lease runs out another worker takes the job over and the twin gains
/// exactly one version.
@Suite(.requires(.atlasMirror, .dtbExecutable)) struct WorkerCrashTests {
    @Test func aJobWhoseWorkerWasKilledIsTakenOverAfterItsLease() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        try subject.buildTwin()
        try subject.ingestNewAnatomy()
        let dtb = try DTBCommand(database: subject.database)
        let worker = ["worker", "--once", "--lease-seconds", "2", "--poll-seconds", "0.2"]
        let killed = try dtb.run(worker, environment: ["DTB_STALL_BEFORE_COMMIT": "60"], timeout: .seconds(180)) {
            $0.contains("stalling before commit")
        }
        #expect(killed.termination == .signalled(SIGKILL), "\(killed.stderr)")
        let queue = JobQueue(database: subject.database)
        let abandoned = try #require(try queue.list().first)
        #expect(abandoned.status == .running && abandoned.attempts == 1)

        let second = try dtb.run(worker + ["--json"], timeout: .seconds(180))
        #expect(second.status == 0, "\(second.stderr)")
        let report = try JSONStyle.decoder().decode(WorkerReport.self, from: Data(second.stdout.utf8))
        #expect(report.jobs.map(\.outcome) == [.done] && report.jobs.first?.attempt == 2)
        let job = try queue.job(id: abandoned.id)
        #expect(job.status == .done && job.attempts == 2 && job.leaseOwner == report.worker)
        #expect(job.lastError == "worker \(abandoned.leaseOwner ?? "?") lost its lease during attempt 1")
        #expect(try subject.versions() == [1, 2])
        try verifyRecordedFiles(subject.database)
    }
}
