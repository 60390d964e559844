import DTBTestSupport
import Foundation
import HDF5Kit
import Interventions
import Store
import Studies
import Testing
import Twins

/// Virtual-treatment studies stored in a real PostgreSQL server: arms over common seeds with their
/// effects, the same result for the same seeds, exact resumption after kill -9, and bad requests
/// that leave nothing behind.
@Suite(.requires(.atlasMirror))
struct StudyTests {
    /// A small twin (4,000 neurons, K = 10) of the sample subject.
    static func prepared() async throws -> (IngestedSubject, TwinReference) {
        let subject = try await PreparedDatabases.sampleSubject()
        let build = try subject.build(neurons: 4000, degree: 10, seed: 11)
        return (subject, TwinReference(twin: build.twin, version: build.version))
    }

    static func request(_ name: String, _ twin: TwinReference, _ interventions: [String], seeds: Int = 3,
                        sweep: String? = nil) throws -> StudyRequest {
        StudyRequest(name: name, version: twin, interventions: try interventions.map(InterventionSpec.init(parsing:)),
                     sweep: try sweep.map(Sweep.init(parsing:)), seeds: seeds, seconds: 2, warmup: 0.5, repetitionTime: 0.5, threads: 2)
    }

    @Test func aStudyComparesItsArmsOverTheSameSeeds() async throws {
        let (subject, twin) = try await Self.prepared()
        let runner = StudyRunner(database: subject.database)
        let report = try runner.create(Self.request("silence", twin, ["silence:regions=cLinG_L+cLinG_R", "lesion:from=gyrus/MVOcC,to=lobe/Temporal Lobe"]))
        #expect(report.status == "complete" && report.arms.map(\.runs) == [3, 3] && report.runs.count == 6)
        #expect(report.settings.seeds == [1, 2, 3] && report.settings.replay == "built" && report.settings.measure == nil)
        guard case .silence(let silenced)? = report.arms[1].interventions.first else { Issue.record("no silence"); return }
        #expect(silenced == ["cLinG_L", "cLinG_R"])
        // 246 regions' rates plus the whole twin's mean rate (no empirical run: no FC similarity).
        #expect(report.effects.count == 247)
        let effect = try #require(report.effects.first { $0.outcome == "rate_hz" && $0.unit == "cLinG_L" })
        #expect(effect.treatedMean == 0 && effect.controlMean > 0 && effect.difference == -effect.controlMean)
        // With 3 seeds a single region is clear (p < 0.01) but 246 regions' FDR keeps its q honest.
        #expect(try #require(effect.upper) < 0 && effect.p! < 0.01 && effect.q! > effect.p!, "\(effect)")
        // The effects are the paired comparisons of the stored rates, and sorted largest |d_z| first.
        let ds = report.effects.compactMap(\.effectSize).map(abs)
        #expect(ds == ds.sorted(by: >))
        let again = try runner.create(Self.request("silence-again", twin, ["silence:regions=cLinG_L+cLinG_R", "lesion:from=gyrus/MVOcC,to=lobe/Temporal Lobe"]))
        #expect(again.runs.map(\.spikes) == report.runs.map(\.spikes))
        #expect(again.effects.map(\.difference) == report.effects.map(\.difference))
        // The same command once more finds the complete study.
        let same = try runner.create(Self.request("silence", twin, ["silence:regions=cLinG_L+cLinG_R", "lesion:from=gyrus/MVOcC,to=lobe/Temporal Lobe"]))
        #expect(same.runs.map(\.sha256) == report.runs.map(\.sha256))
        #expect(try runner.list().map(\.study) == ["silence-again", "silence"])
        try verifyRecordedFiles(subject.database)
    }

    /// A sweep makes one arm per value; each run's file holds its BOLD, FC and activity.
    @Test func aSweepHasAnArmPerValue() async throws {
        let (subject, twin) = try await Self.prepared()
        let measure = try subject.groundTruthRun(twin: twin, frames: 8)
        var request = try Self.request("rewire", twin, ["rewire:p=0,k=4"], seeds: 2, sweep: "p=0:1:0.5")
        request.measure = measure
        request.populationActivity = true
        let report = try StudyRunner(database: subject.database).create(request)
        #expect(report.arms.map(\.label) == ["untreated", "p=0", "p=0.5", "p=1"] && report.arms.map(\.sweepValue) == [nil, 0, 0.5, 1])
        #expect(report.arms.allSatisfy { $0.fcSimilarity != nil } && report.trend?.runs == 6)
        // P = 0 changes nothing: its runs are the untreated runs.
        #expect(report.runs.filter { $0.arm == 1 }.map(\.spikes) == report.runs.filter { $0.arm == 0 }.map(\.spikes))
        let run = report.runs[0]
        let file = try HDF5File.open(path: subject.database.files.url(of: run.path).path)
        defer { file.close() }
        #expect(try file.dataset("/bold").shape == [4, 246] && file.dataset("/fc").shape == [246, 246])
        #expect(try file.dataset("/activity").shape == [2000, 246])
        let activity = try file.dataset("/activity").read(UInt32.self)
        #expect(activity.reduce(0) { $0 + Int($1) } == run.spikes)
        // Per population too, on request: the same bins, adding up to the same spikes.
        let populations = try file.readStrings("/populations")
        #expect(try file.dataset("/population_activity").shape == [2000, populations.count] && populations.count > 246)
        #expect(try file.dataset("/population_activity").read(UInt32.self).reduce(0) { $0 + Int($1) } == run.spikes)
        #expect(report.settings.populationActivity == true)
    }

    /// `kill -9` after the second run, then the same study again: it resumes with the runs it lacks
    /// and ends with exactly the runs of an uninterrupted study.
    @Test(.requires(.dtbExecutable)) func aKilledStudyResumesWhereItStopped() async throws {
        let (subject, twin) = try await Self.prepared()
        let arguments = ["study", "create", "resumed", "--twin", twin.description, "lesion:from=gyrus/MVOcC,to=gyrus/PhG",
                         "--seeds", "2", "--seconds", "2", "--warmup", "0.5", "--tr", "0.5", "--threads", "2"]
        let killed = try DTBCommand(database: subject.database).run(arguments, environment: ["DTB_STALL_AFTER_STUDY_RUN": "2:60"],
                                                                    timeout: .seconds(300)) { $0.contains("stalling after study run") }
        #expect(killed.termination == .signalled(SIGKILL))
        let runner = StudyRunner(database: subject.database)
        let stopped = try runner.report("resumed")
        #expect(stopped.status == "running" && stopped.runs.count == 2 && stopped.effects.isEmpty)
        let resumed = try runner.run("resumed", threads: 2)
        #expect(resumed.status == "complete" && resumed.runs.count == 4)
        var straight = try Self.request("straight", twin, ["lesion:from=gyrus/MVOcC,to=gyrus/PhG"], seeds: 2)
        straight.threads = 1
        let reference = try runner.create(straight)
        #expect(resumed.runs.map(\.spikes) == reference.runs.map(\.spikes))
        #expect(resumed.effects.map(\.difference) == reference.effects.map(\.difference))
        try verifyRecordedFiles(subject.database)
    }

    /// Each bad request is one line naming the problem, and nothing is written.
    @Test func badRequestsWriteNothing() async throws {
        let (subject, twin) = try await Self.prepared()
        let database = subject.database
        let before = try tableCounts(database.connection)
        func refused(_ interventions: [String], sweep: String? = nil, version: TwinReference? = nil, _ fragment: String) {
            #expect {
                _ = try StudyRunner(database: database).create(Self.request("bad", version ?? twin, interventions, sweep: sweep))
            } throws: { error in
                let text = "\(error)"
                return text.contains(fragment) && !text.contains("\n")
            }
        }
        refused(["silence:regions=nowhere"], "no region with name 'nowhere'")
        refused(["silence:regions=planet/Mars"], "'planet/' is not a way to name regions")
        refused(["silence:regions=gyrus/MVOcC&gyrus/SFG"], "selects no region of the twin")
        refused(["receptor:channel=serotonin,factor=0.5"], "is not ampa, nmda, gabaa or gabab")
        refused(["rewire:p=1.5"], "give P from 0 to 1")
        refused(["rewire:p=0.5"], sweep: "frequency=1,2", "no intervention has a numeric parameter frequency")
        refused(["stimulate:regions=gyrus/BG,waveform=pulses,frequency=-125,width=1,amplitude=6"], "give a positive frequency")
        refused(["stimulate:regions=gyrus/BG,waveform=pulses,frequency=125,width=-1,amplitude=6"], "give a positive width")
        refused(["lesion:from=gyrus/MVOcC"], "lesion needs to=")
        refused(["silence:regions=cLinG_L"], version: TwinReference(twin: twin.twin, version: 9), "has no version 9")
        #expect(throws: StudyError.self) { try Sweep(parsing: "p=") }
        #expect("\(String(describing: try? Sweep(parsing: "p=")))" == "nil")
        try database.connection.query("UPDATE twin_version SET status = 'assimilating' WHERE version = 1")
        refused(["silence:regions=cLinG_L"], "is assimilating; a study needs a ready version")
        try database.connection.query("UPDATE twin_version SET status = 'ready' WHERE version = 1")
        #expect(try tableCounts(database.connection) == before)
    }
}

/// A queued study is one job per run, so that several workers share it.
@Suite(.requires(.atlasMirror, .dtbExecutable))
struct SharedStudyTests {
    static let arguments = ["lesion:from=gyrus/MVOcC,to=gyrus/PhG", "--seeds", "2", "--seconds", "2", "--warmup", "0.5", "--tr", "0.5",
                            "--threads", "1"]

    /// Runs `commands` as concurrent `dtb` processes (the i-th with `environments[i]` added).
    static func concurrently(_ dtb: DTBCommand, _ commands: [[String]], environments: [[String: String]]) -> [Result<ChildProcess.Outcome, any Error>] {
        let results = LockedResults(count: commands.count)
        DispatchQueue.concurrentPerform(iterations: commands.count) { i in
            results.set(i, Result { try dtb.run(commands[i], environment: environments[i], timeout: .seconds(300)) })
        }
        return results.values
    }

    /// Two workers: the first stalls after its first run, so the second takes the others; the
    /// one that stores the last run completes the study, with the runs and effects of a study
    /// run in one process.
    @Test func twoWorkersShareAQueuedStudy() async throws {
        let (subject, twin) = try await StudyTests.prepared()
        let dtb = try DTBCommand(database: subject.database)
        let queued = try dtb.run(["study", "create", "shared", "--twin", twin.description, "--queue", "--json"] + Self.arguments)
        #expect(queued.status == 0, "\(queued.stderr)")
        let jobs = try #require((try JSONSerialization.jsonObject(with: Data(queued.stdout.utf8)) as? [String: Any])?["jobs"] as? [Int])
        #expect(jobs.count == 4)
        let worker = ["worker", "--once", "--poll-seconds", "0.2"]
        let outcomes = Self.concurrently(dtb, [worker, worker], environments: [["DTB_STALL_AFTER_STUDY_RUN": "1:4"], [:]])
        for outcome in outcomes { #expect(try outcome.get().status == 0, "\(String(describing: try? outcome.get().stderr))") }
        let owners = try subject.database.connection.query("""
            SELECT count(DISTINCT lease_owner), count(*) FILTER (WHERE status = 'done') FROM job WHERE kind = 'study'
            """)[0]
        #expect(owners[0].int == 2 && owners[1].int == 4)

        let runner = StudyRunner(database: subject.database)
        let shared = try runner.report("shared")
        let alone = try runner.create(StudyTests.request("alone", twin, ["lesion:from=gyrus/MVOcC,to=gyrus/PhG"], seeds: 2))
        #expect(shared.status == "complete" && shared.runs.count == 4)
        #expect(shared.runs.map(\.spikes) == alone.runs.map(\.spikes))
        #expect(shared.effects.map(\.difference) == alone.effects.map(\.difference))
        #expect { try runner.run("shared", part: StudyPart(arm: 7, seed: 1)) } throws: { "\($0)" == "study shared has no run of arm 7 with seed 1" }
        try verifyRecordedFiles(subject.database)
    }

    /// Two processes resuming the same study at once both run every run: each run is stored once
    /// (the second copy discarded with its file) and the study is completed once.
    @Test func twoProcessesOnOneStudyStoreEachRunOnce() async throws {
        let (subject, twin) = try await StudyTests.prepared()
        let dtb = try DTBCommand(database: subject.database)
        let queued = try dtb.run(["study", "create", "twice", "--twin", twin.description, "--queue"] + Self.arguments)
        #expect(queued.status == 0, "\(queued.stderr)")
        let run = ["study", "run", "twice", "--threads", "1"]
        for outcome in Self.concurrently(dtb, [run, run], environments: [[:], [:]]) {
            #expect(try outcome.get().status == 0, "\(String(describing: try? outcome.get().stderr))")
        }
        let report = try StudyRunner(database: subject.database).report("twice")
        #expect(report.status == "complete" && report.runs.count == 4 && report.effects.count == 247)
        let effects = try subject.database.connection.query("SELECT count(*) FROM study_effect").scalar().int
        #expect(effects == 247)
        try verifyRecordedFiles(subject.database)
    }
}

/// Results written by concurrent iterations, one slot each.
private final class LockedResults: @unchecked Sendable {
    private var slots: [Result<ChildProcess.Outcome, any Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<ChildProcess.Outcome, any Error>) { lock.withLock { slots[i] = value } }
    var values: [Result<ChildProcess.Outcome, any Error>] { lock.withLock { slots.map { $0! } } }
}
