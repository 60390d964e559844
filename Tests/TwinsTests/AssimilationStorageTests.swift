import Assimilation
import DTBTestSupport
import Foundation
import SampleSubjects
import Store
import Testing
import Twins

/// Assimilation and validation stored in a real PostgreSQL server: the new version and its rows,
/// idempotent re-runs, exact resumption after kill -9, and bad requests that leave nothing behind.
@Suite(.requires(.atlasMirror))
struct AssimilationStorageTests {
    /// A small twin (4,000 neurons, K = 10) of the sample subject with a 12-frame ground-truth rest run.
    static func prepared() async throws -> (IngestedSubject, TwinReference, Int) {
        let subject = try await PreparedDatabases.sampleSubject()
        let build = try subject.build(neurons: 4000, degree: 10, seed: 11)
        let twin = TwinReference(twin: build.twin, version: build.version)
        return (subject, twin, try subject.groundTruthRun(twin: twin, frames: 12))
    }

    @Test func anAssimilationIsANewVersionWithItsFitValidationsAndHistory() async throws {
        let (subject, twin, measure) = try await Self.prepared()
        let database = subject.database
        let baseline = try TwinValidator(database: database).validate(TwinValidationRequest(version: twin, measure: measure, threads: 2))
        #expect(baseline.replay == "built" && baseline.assimilated == nil && baseline.all.units == 246)
        let outcome = try TwinAssimilator(database: database).assimilate(subject.quickFit(twin, measure: measure))
        #expect(outcome.action == .created && outcome.version == 2 && outcome.parent == 1 && outcome.frames == 12)
        #expect(outcome.fit.boldRPerUnit.count == 246 && outcome.fit.secondsPerFrame != nil)
        let fitted = TwinReference(twin: twin.twin, version: 2)
        let info = try TwinQueries(database: database).version(fitted)
        #expect(info.origin == "assimilation" && info.status == "ready" && info.parent == 1)
        #expect(Set(info.files.map(\.role)) == ["nodes", "edges", "node_types", "edge_types", "hyperparameters", "posterior"])
        #expect(info.inputs.contains { $0.role == .boldTimeseries && $0.measure == measure })
        #expect(info.networkDigest == (try TwinQueries(database: database).version(twin)).networkDigest)
        let replay = try TwinValidator(database: database).validate(TwinValidationRequest(version: fitted, measure: measure, threads: 2))
        #expect(replay.replay == "fitted" && replay.inSample && replay.baselines.builtVersion == 1)
        #expect(replay.baselines.builtBoldR == baseline.all.boldR)
        let again = try TwinAssimilator(database: database).assimilate(subject.quickFit(twin, measure: measure))
        #expect(again.action == .unchanged && again.version == 2)
        let history = try TwinQueries(database: database).history(twin.twin)
        #expect(history.versions.map(\.validations.count) == [1, 1])
        #expect(history.versions[1].assimilation?.members == 4 && history.versions[0].assimilation == nil)
        #expect(history.versions[1].changes.contains { $0.kind == "data" && $0.what == "bold_timeseries" })
        try verifyRecordedFiles(database)
    }

    /// A task run is fitted on its input units (primary auditory cortex) and its events, stored
    /// with the run at ingest, are recorded with the fit.
    @Test func aTaskFitRecordsItsEvents() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let build = try subject.build(neurons: 4000, degree: 10, seed: 11)
        let twin = TwinReference(twin: build.twin, version: build.version)
        let events = [SampleRuns.Event(onset: 6, duration: 8, trialType: "tone")]
        let measure = try subject.groundTruthRun(twin: twin, SampleRuns.Run(session: "01", task: "auditory", frames: 10, seed: 303,
                                                                            events: events, inputUnits: SampleRuns.auditoryInputs))
        var request = subject.quickFit(twin, measure: measure)
        request.units = SampleRuns.auditoryInputs
        let outcome = try TwinAssimilator(database: subject.database).assimilate(request)
        #expect(outcome.fittedUnits == 4 && outcome.observation.task == "auditory")
        #expect(outcome.observation.events == [TaskEvent(onset: 6, duration: 8, trialType: "tone")])
    }

    /// A validation on another run than the fit's replays the time-averaged h (out of sample).
    @Test func anotherRunIsValidatedWithTheMeanFit() async throws {
        let (subject, twin, measure) = try await Self.prepared()
        let outcome = try TwinAssimilator(database: subject.database).assimilate(subject.quickFit(twin, measure: measure))
        let other = try subject.groundTruthRun(twin: twin, frames: 12, session: "02", seed: 202)
        let report = try TwinValidator(database: subject.database)
            .validate(TwinValidationRequest(version: TwinReference(twin: twin.twin, version: outcome.version), measure: other, threads: 2))
        #expect(report.replay == "mean" && !report.inSample && report.frames == 12)
        // The built version's replay does not depend on the run: against a second run of the same
        // length it is simulated once, and each run's figures are those of its own validation.
        var lines: [String] = []
        let first = try TwinValidator(database: subject.database).validate(TwinValidationRequest(version: twin, measure: measure, threads: 2))
        let second = try TwinValidator(database: subject.database)
            .validate(TwinValidationRequest(version: twin, measure: other, threads: 1)) { lines.append($0) }
        #expect(lines == ["the replay of \(twin.twin)@1 (built) for 12 frames of 2.0 s was simulated for an earlier validation in this process"])
        #expect(first.all.boldR != second.all.boldR && second.replay == "built" && second.frames == 12)
    }

    /// `kill -9` right after the checkpoint of frame 4, then the same command: it resumes and ends
    /// with exactly the h(t) of an uninterrupted fit (same file checksum).
    @Test(.requires(.dtbExecutable)) func aKilledAssimilationResumesToTheUninterruptedResult() async throws {
        let (subject, twin, measure) = try await Self.prepared()
        let uninterrupted = try await Self.prepared()
        let straight = try TwinAssimilator(database: uninterrupted.0.database).assimilate(uninterrupted.0.quickFit(twin, measure: uninterrupted.2))
        let arguments = ["twin", "assimilate", twin.description, "--run", String(measure), "--members", "4", "--observation", "raw",
                         "--warmup", "2", "--checkpoint-every", "2", "--threads", "2"]
        let killed = try DTBCommand(database: subject.database).run(arguments, environment: ["DTB_STALL_AFTER_CHECKPOINT": "4:60"],
                                                                    timeout: .seconds(300)) { $0.contains("stalling after the checkpoint") }
        #expect(killed.termination == .signalled(SIGKILL))
        #expect(try TwinQueries(database: subject.database).version(TwinReference(twin: twin.twin, version: 2)).status == "assimilating")
        #expect {
            _ = try TwinAssimilator(database: subject.database).assimilate(subject.quickFit(TwinReference(twin: twin.twin, version: 2), measure: measure))
        } throws: { "\($0)".contains("still assimilating") }
        let resumed = try TwinAssimilator(database: subject.database).assimilate(subject.quickFit(twin, measure: measure))
        #expect(resumed.action == .resumed && resumed.version == 2)
        func series(_ database: Database) throws -> String? {
            try TwinQueries(database: database).version(TwinReference(twin: twin.twin, version: 2)).files.first { $0.role == "hyperparameters" }?.sha256
        }
        #expect(straight.version == 2)
        #expect(try series(subject.database) == series(uninterrupted.0.database))
        #expect(resumed.fit == straight.fit.with(secondsPerFrame: resumed.fit.secondsPerFrame))
        #expect(!FileManager.default.fileExists(atPath: subject.database.home.root.appendingPathComponent("checkpoints/assimilation-2.h5").path))
    }

    /// Each bad request is one line naming the problem, and nothing is written.
    @Test func badRequestsWriteNothing() async throws {
        let (subject, twin, measure) = try await Self.prepared()
        let database = subject.database
        let before = try tableCounts(database.connection)
        func refused(_ change: (inout TwinAssimilationRequest) -> Void, _ fragment: String) {
            var request = subject.quickFit(twin, measure: measure)
            change(&request)
            #expect {
                _ = try TwinAssimilator(database: database).assimilate(request)
            } throws: { error in
                let text = "\(error)"
                return text.contains(fragment) && !text.contains("\n")
            }
        }
        refused({ $0.members = 1 }, "--members 1")
        refused({ $0.bounds = [.externalCurrent: 0.3 ... 0.3] }, "--bounds ext")
        refused({ $0.units = ["No Such Region"] }, "'No Such Region' is not a unit")
        refused({ $0.warmupSeconds = 100 }, "shorter than the 100.0 s warm-up")
        refused({ $0.measure = 999_999 }, "measure 999999 does not exist")
        let gm = try database.connection.query("SELECT id FROM measure WHERE kind = 'gm_volume' LIMIT 1").scalar().int!
        refused({ $0.measure = gm }, "not a BOLD time series")
        refused({ $0.version = TwinReference(twin: twin.twin, version: 9) }, "has no version 9")
        #expect(try tableCounts(database.connection) == before)
    }

}

extension AssimilationFit {
    func with(secondsPerFrame: Double?) -> AssimilationFit {
        var copy = self
        copy.secondsPerFrame = secondsPerFrame
        return copy
    }
}
