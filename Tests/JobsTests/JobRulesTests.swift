import DTBTestSupport
import Jobs
import Services
import Store
import Testing
import Twins

/// The rules as the pure function they are: a twin's data state (and the jobs already queued) in,
/// requests out. (Enqueueing and running them is what the worker suites test.)
@Suite struct JobRulesTests {
    static let built: [MeasureKind: Int] = [.grayMatterVolume: 1, .synapticDensity: 2, .tractDensity: 3, .tractLength: 4]

    func state(available: [MeasureKind: Int] = built, bold: [Int] = [], tasks: Set<Int> = []) -> TwinDataState {
        TwinDataState(twinID: 7, twin: "s-a", subject: "s", atlas: "a", level: .region, latestVersion: 3,
                      inputs: Self.built, available: available, boldMeasures: bold, taskMeasures: tasks)
    }

    @Test func nothingNewNothingQueued() throws {
        #expect(try JobRules.requests(for: state()) { _ in nil }.isEmpty)
    }

    @Test func newAnatomyIsABuildKeyedByItsMeasures() throws {
        var newer = Self.built
        newer[.synapticDensity] = 9
        let requests = try JobRules.requests(for: state(available: newer)) { _ in nil }
        #expect(requests.map(\.kind) == [.build])
        #expect(requests[0].key == "build:twin=7:gm_volume=1,synaptic_density=9,tract_density=3,tract_length=4")
        #expect(requests[0].payload["measures"]?["synaptic_density"]?.int == 9 && requests[0].payload["twin_id"]?.int == 7)
    }

    /// New anatomy and two BOLD runs: the build, then each run's validate → assimilate → validate,
    /// one line of versions, each waiting for the one before.
    @Test func newBOLDChainsAfterTheBuildAndThePreviousRun() throws {
        var newer = Self.built
        newer[.grayMatterVolume] = 8
        let requests = try JobRules.requests(for: state(available: newer, bold: [20, 21])) { _ in nil }
        #expect(requests.map(\.kind) == [.build, .validate, .assimilate, .validate, .validate, .assimilate, .validate])
        #expect(requests.dropFirst().map(\.key) == [
            "validate:twin=7:measure=20:before", "assimilate:twin=7:measure=20", "validate:twin=7:measure=20:after",
            "validate:twin=7:measure=21:before", "assimilate:twin=7:measure=21", "validate:twin=7:measure=21:after"])
        #expect(requests.map(\.dependsOn) == [nil] + (0..<6).map { .request($0) })
        // Every job after the build takes its version from the job it waits for.
        #expect(requests.allSatisfy { $0.payload["version"] == nil })
        #expect(requests[1].payload["stage"]?.string == "before" && requests[3].payload["stage"]?.string == "after")
    }

    /// A task run between two rest runs is validated against the version before it and not
    /// fitted; the next rest run's chain follows the previous rest run's, not the task's validation.
    @Test func aTaskRunIsValidatedNotFitted() throws {
        let requests = try JobRules.requests(for: state(bold: [20, 21, 22], tasks: [21])) { _ in nil }
        #expect(requests.map(\.key) == [
            "validate:twin=7:measure=20:before", "assimilate:twin=7:measure=20", "validate:twin=7:measure=20:after",
            "validate:twin=7:measure=21:before",
            "validate:twin=7:measure=22:before", "assimilate:twin=7:measure=22", "validate:twin=7:measure=22:after"])
        #expect(requests[3].dependsOn == .request(2) && requests[4].dependsOn == .request(2))
    }

    /// Jobs already queued are named again (so later ones can wait for them); a failed one ends
    /// its line, and the next run starts from the latest version.
    @Test func aFailedChainEndsItsLine() throws {
        let key = "validate:twin=7:measure=20:after"
        let failed = try JobQueueRecord.failed(key: key)
        let requests = try JobRules.requests(for: state(bold: [20, 21])) { $0 == key ? failed : nil }
        #expect(requests[0].dependsOn == nil && requests[0].payload["version"]?.int == 3)
        #expect(requests[3].key == "validate:twin=7:measure=21:before")
        #expect(requests[3].dependsOn == nil && requests[3].payload["version"]?.int == 3)
    }
}

/// A stored job as the rules see it, read back from a real queue.
enum JobQueueRecord {
    static func failed(key: String) throws -> JobRecord {
        let database = try DTBTestSupport.TestDatabase.make()
        let queue = JobQueue(database: database)
        let job = try queue.enqueue(JobRequest(kind: .validate, key: key, payload: ["twin": "s-a"], maxAttempts: 1)).job
        _ = try queue.claim(worker: "w", leaseSeconds: 30)
        try queue.fail(job: job.id, worker: "w", error: "broke")
        return try queue.job(id: job.id)
    }
}
