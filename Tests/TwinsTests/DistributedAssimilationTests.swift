import DTBTestSupport
import Foundation
import Store
import Testing
import Twins

/// `mpirun -np R dtb twin assimilate`: the members shared over ranks give the fit one process
/// gives, file for file (the fitted h(t) and the posterior ensemble), also when killed and
/// resumed from the per-rank checkpoint, on the same or another rank count.
@Suite(.requires(.atlasMirror))
struct DistributedAssimilationTests {
    func files(_ database: Database) throws -> [String: String] {
        let info = try TwinQueries(database: database).version(TwinReference(twin: "sample-brainnetome246", version: 2))
        return Dictionary(uniqueKeysWithValues: info.files.filter { ["hyperparameters", "posterior"].contains($0.role) }.map { ($0.role, $0.sha256) })
    }

    func arguments(_ twin: TwinReference, measure: Int) throws -> [String] {
        [try #require(Prerequisites.dtbExecutable).path, "twin", "assimilate", twin.description, "--run", String(measure), "--members", "4",
         "--observation", "raw", "--warmup", "2", "--checkpoint-every", "2", "--threads", "1", "--json"]
    }

    func framesDone(_ database: Database) throws -> Int? {
        try database.connection.query("SELECT frames_done FROM assimilation").scalar().int
    }

    /// kill -9 of mpirun and its 2 ranks right after the checkpoint of frame 4: a manifest and one
    /// file per rank are left (the set of frame 2 removed), progress says 4. A damaged or missing
    /// rank file is then one line naming it, with nothing recorded; the same command on 2 ranks,
    /// or on 3 (each rank reading the members it now has from the 2 ranks' files), ends with the
    /// one-process fit's files and no checkpoint left.
    @Test(.requires(.mpirun, .dtbExecutable)) func aKilledFitOverRanksResumesToTheFitOfOneProcess() async throws {
        let (alone, twin, measure) = try await AssimilationStorageTests.prepared()
        _ = try TwinAssimilator(database: alone.database).assimilate(alone.quickFit(twin, measure: measure))
        let expected = try files(alone.database)
        for resumeRanks in [2, 3] {
            let (shared, _, sharedMeasure) = try await AssimilationStorageTests.prepared()
            let environment = try DTBCommand.environment(for: shared.database)
            let command = try arguments(twin, measure: sharedMeasure)
            let killed = try killedAfterFrameFour(command, environment: environment, home: shared.database.home.root)
            #expect(killed.termination == .signalled(SIGKILL), "\(killed.stderr)")
            let directory = shared.database.home.root.appendingPathComponent("checkpoints")
            let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(left == ["assimilation-2.frame-4.rank-0-of-2.h5", "assimilation-2.frame-4.rank-1-of-2.h5", "assimilation-2.manifest.json"])
            #expect(try framesDone(shared.database) == 4)
            if resumeRanks == 3 { try damagedRankFilesAreRefused(shared.database, command, environment, directory) }
            let resumed = try MPIRun.run(ranks: resumeRanks, command, environment: environment)
            #expect(resumed.status == 0, "\(resumeRanks) ranks: \(resumed.stderr)")
            let document = (try? JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8))) as? [String: Any]
            #expect(document?["action"] as? String == "resumed" && document?["version"] as? Int == 2)
            #expect(try files(shared.database) == expected, "resumed on \(resumeRanks) ranks")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        }
    }

    /// `command` on 2 ranks, each writing its pid into `home` first, killed with SIGKILL (both
    /// ranks by pid, mpirun with its process group) once rank 0 has written the checkpoint of
    /// frame 4: mpirun's ranks need not share its process group, and a rank left alive would
    /// keep the database session that holds the fit's lock.
    func killedAfterFrameFour(_ command: [String], environment: [String: String], home: URL) throws -> ChildProcess.Outcome {
        let pids = (0..<2).map { home.appendingPathComponent("rank-\($0).pid") }
        let script = "echo $$ > '\(home.path)/rank-'$OMPI_COMM_WORLD_RANK.pid; exec " + command.map { "'\($0)'" }.joined(separator: " ")
        return try MPIRun.run(ranks: 2, ["/bin/sh", "-c", script], environment: environment.merging(["DTB_STALL_AFTER_CHECKPOINT": "4:300"]) { $1 }) {
            guard $0.contains("stalling after the checkpoint") else { return false }
            for url in pids {
                if let text = try? String(contentsOf: url, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    kill(pid, SIGKILL)
                }
            }
            return true
        }
    }

    /// Rank 1's file of the checkpoint damaged (its last byte flipped), then missing: each time the
    /// run stops before the first frame with one `dtb:` line naming the file, and the database and
    /// the files are as they were.
    func damagedRankFilesAreRefused(_ database: Database, _ command: [String], _ environment: [String: String], _ directory: URL) throws {
        let file = directory.appendingPathComponent("assimilation-2.frame-4.rank-1-of-2.h5")
        let original = try Data(contentsOf: file)
        let before = try tableCounts(database.connection)
        var flipped = original
        flipped[flipped.count - 1] ^= 0xff
        let damaged = flipped
        for (damage, problem) in [({ try damaged.write(to: file) }, "(damaged)"), ({ try FileManager.default.removeItem(at: file) }, "missing")]
            as [(() throws -> Void, String)] {
            try damage()
            let outcome = try MPIRun.run(ranks: 2, command, environment: environment)
            #expect(outcome.status != 0 && outcome.stdout.isEmpty)
            let lines = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }
            #expect(lines.count == 1 && lines.first?.hasPrefix("dtb: \(file.path): ") == true && lines.first?.contains(problem) == true,
                    "\(outcome.stderr)")
            #expect(try tableCounts(database.connection) == before)
            #expect(try framesDone(database) == 4)
            try original.write(to: file)
        }
    }

    @Test(.requires(.mpirun, .dtbExecutable)) func ranksGiveTheFitOfOneProcess() async throws {
        let (alone, twin, measure) = try await AssimilationStorageTests.prepared()
        _ = try TwinAssimilator(database: alone.database).assimilate(alone.quickFit(twin, measure: measure))
        let expected = try files(alone.database)
        #expect(expected.count == 2)
        for ranks in [2, 3] {
            let (shared, _, sharedMeasure) = try await AssimilationStorageTests.prepared()
            let dtb = try #require(Prerequisites.dtbExecutable).path
            let arguments = [dtb, "twin", "assimilate", twin.description, "--run", String(sharedMeasure), "--members", "4", "--observation", "raw",
                             "--warmup", "2", "--checkpoint-every", "2", "--threads", "1", "--json"]
            let outcome = try MPIRun.run(ranks: ranks, arguments, environment: try DTBCommand.environment(for: shared.database))
            #expect(outcome.status == 0, "\(ranks) ranks: \(outcome.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
            #expect(document?["action"] as? String == "created" && document?["version"] as? Int == 2)
            #expect(try files(shared.database) == expected, "\(ranks) ranks")
        }
    }
}
