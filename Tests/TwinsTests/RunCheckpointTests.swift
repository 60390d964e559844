import DTBTestSupport
import Foundation
import Store
import Testing
import Twins

/// A long `dtb twin run` keeps checkpoints: killed, the same command continues from the last and
/// stores exactly the run an uninterrupted command gives; a damaged checkpoint is one clear line.
@Suite(.requires(.atlasMirror, .dtbExecutable))
struct RunCheckpointTests {
    @Test func aKilledRunContinuesFromItsCheckpoint() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let build = try subject.build(neurons: 4000, degree: 10, seed: 11)
        let reference = TwinReference(twin: build.twin, version: build.version)
        let arguments = ["twin", "run", reference.description, "--seconds", "4", "--seed", "5", "--tr", "0.5", "--threads", "2",
                         "--checkpoint-every", "1", "--activity-bin", "2", "--population-activity", "--raster", "2"]
        let dtb = try DTBCommand(database: subject.database)
        let killed = try dtb.run(arguments, environment: ["DTB_STALL_AFTER_RUN_CHECKPOINT": "2:60"]) {
            $0.contains("stalling after the run checkpoint")
        }
        #expect(killed.termination == .signalled(SIGKILL), "\(killed.stderr)")
        #expect(try subject.database.connection.query("SELECT count(*) FROM twin_run").scalar().int == 0)
        let folder = subject.database.home.root.appendingPathComponent("checkpoints")
        let checkpoint = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("run-") })
        let url = folder.appendingPathComponent(checkpoint)

        // A damaged checkpoint: one line naming it, nothing stored; put back, the run continues.
        let saved = try Data(contentsOf: url)
        try Data(saved.prefix(100)).write(to: url)
        let damaged = try dtb.run(arguments)
        #expect(damaged.status == 1 && damaged.stderr.contains("\(url.path): the run's checkpoint cannot be read"), "\(damaged.stderr)")
        #expect(damaged.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }.count == 1)
        try saved.write(to: url)

        let continued = try dtb.run(arguments + ["--json"])
        #expect(continued.status == 0, "\(continued.stderr)")
        #expect(continued.stderr.contains("continuing from its checkpoint at 2."))
        #expect(!FileManager.default.fileExists(atPath: url.path))
        // The uninterrupted run (in process, one thread, no checkpoints) is the same file, byte for byte.
        var straight = TwinRunRequest(version: reference, seconds: 4, seed: 5, repetitionTime: 0.5, threads: 1)
        straight.checkpointEvery = 0
        straight.activityBin = 2
        straight.populationActivity = true
        straight.rasterPerPopulation = 2
        let uninterrupted = try TwinRunner(database: subject.database).run(straight)
        let stored = try JSONStyle.decoder().decode(TwinRunInfo.self, from: Data(continued.stdout.utf8))
        #expect(stored.file.sha256 == uninterrupted.file.sha256 && stored.spikes == uninterrupted.spikes)
        try verifyRecordedFiles(subject.database)
    }
}
