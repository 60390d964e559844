import DTBTestSupport
import Foundation
import Store
import Testing
import Twins

/// A version whose files were lost is put back by an identical build; runs are byte-reproducible;
/// a long run says how far it is.
@Suite struct TwinFileRepairTests {
    @Test func anIdenticalRebuildPutsBackAVersionsMissingFile() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let built = try subject.build(neurons: 5_000, degree: 20)
        let nodes = try #require(built.files.first { $0.path.hasSuffix(".h5") })
        try FileManager.default.removeItem(at: subject.database.files.url(of: nodes.path))
        #expect(throws: StoreError.self) { try TwinRunner(database: subject.database).network(TwinReference(twin: built.twin)) }
        let counts = try tableCounts(subject.database.connection)

        let rebuilt = try subject.build(neurons: 5_000, degree: 20)
        #expect(rebuilt.action == .repaired && rebuilt.version == built.version && rebuilt.files == built.files)
        #expect(try tableCounts(subject.database.connection) == counts)
        try verifyRecordedFiles(subject.database)
        _ = try TwinRunner(database: subject.database).network(TwinReference(twin: built.twin))
        #expect(try subject.build(neurons: 5_000, degree: 20).action == .unchanged)
    }

    @Test(.requires(.dtbExecutable)) func runsWithTheSameInputsAndSeedGiveTheSameFile() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let built = try subject.build(neurons: 5_000, degree: 20)
        let runner = TwinRunner(database: subject.database)
        let request = TwinRunRequest(version: TwinReference(twin: built.twin), seconds: 2, seed: 3, repetitionTime: 1, threads: 1)
        var lines: [String] = []
        let first = try runner.run(request) { lines.append($0) }
        #expect(lines.contains { $0.hasPrefix("simulated 2.0 of 2.0 s (100%), ") })
        // Another process (other hash seeds, so other dictionary orders) on another thread count.
        let child = try DTBCommand(database: subject.database).run(["twin", "run", built.twin, "--seconds", "2", "--seed", "3", "--tr", "1",
                                                                    "--threads", "2", "--json"])
        #expect(child.status == 0, "\(child.stderr)")
        let second = try JSONSerialization.jsonObject(with: Data(child.stdout.utf8)) as? [String: Any]
        #expect(second?["run"] as? Int != first.run)
        #expect((second?["file"] as? [String: Any])?["sha256"] as? String == first.file.sha256)
    }

    @Test func progressLinesComeEveryTwoSecondsWithTheTimeLeft() {
        let start = Date(timeIntervalSince1970: 0)
        var progress = RunProgress(seconds: 10, started: start)
        #expect(progress.simulated(1, now: start.addingTimeInterval(1)) == nil)
        #expect(progress.simulated(2, now: start.addingTimeInterval(2)) == "simulated 2.0 of 10.0 s (20%), 2.0 s wall, about 8 s left")
        #expect(progress.simulated(3, now: start.addingTimeInterval(3.5)) == nil)
        #expect(progress.simulated(5, now: start.addingTimeInterval(5)) == "simulated 5.0 of 10.0 s (50%), 5.0 s wall, about 5 s left")
        #expect(progress.simulated(10, now: start.addingTimeInterval(5.5)) == "simulated 10.0 of 10.0 s (100%), 5.5 s wall")
    }
}
