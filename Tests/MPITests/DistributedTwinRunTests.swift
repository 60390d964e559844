import CommandTestSupport
import DTBTestSupport
import Foundation
import Store
import Testing

/// `mpirun -np R dtb twin run`: one twin shared over ranks gives the run one process gives, byte
/// for byte (the run file holds the BOLD and rates and no times), and a rank that dies leaves
/// nothing recorded.
@Suite(.serialized) struct DistributedTwinRunTests {
    static let twin = "sample-brainnetome246@1"

    /// A small twin (5,000 neurons over 246 units) of the prepared sample subject.
    func prepared() async throws -> (InProcessDTB, DTBCommand) {
        try await prepared(try await PreparedDatabases.sampleSubject().database)
    }

    func prepared(_ database: Database) async throws -> (InProcessDTB, DTBCommand) {
        let dtb = try InProcessDTB(database: database)
        let build = dtb.run(["twin", "build", "sample", "--atlas", "brainnetome246", "--neurons", "5000", "--degree", "20", "--seed", "4"])
        #expect(build.status == 0, "\(build.stderr)")
        return (dtb, try DTBCommand(database: database))
    }

    func runArguments(threads: Int, seconds: Double = 1) throws -> [String] {
        [try #require(Prerequisites.dtbExecutable).path, "twin", "run", Self.twin, "--seconds", String(seconds), "--tr", "0.5",
         "--seed", "9", "--threads", String(threads), "--json"]
    }

    func runs(_ dtb: InProcessDTB) throws -> Int {
        let shown = dtb.run(["twin", "show", Self.twin, "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        return try #require(((document?["version"] as? [String: Any])?["runs"] as? [Any])?.count)
    }

    @Test(.requires(.mpirun, .dtbExecutable, .atlasMirror)) func ranksGiveTheRunOfOneProcess() async throws {
        let (dtb, command) = try await prepared()
        let alone = try JSONDecoder().decode(Run.self, from: Data(dtb.run(Array(try runArguments(threads: 2).dropFirst())).stdout.utf8))
        #expect(alone.spikes > 0)
        for ranks in [2, 3] {
            let outcome = try MPIRun.run(ranks: ranks, try runArguments(threads: 1), environment: command.environment)
            #expect(outcome.status == 0, "\(ranks) ranks: \(outcome.stderr)")
            let shared = try JSONDecoder().decode(Run.self, from: Data(outcome.stdout.utf8))
            #expect(shared.spikes == alone.spikes, "\(ranks) ranks")
            #expect(shared.file.sha256 == alone.file.sha256, "\(ranks) ranks: the BOLD and rates differ")
            #expect(outcome.stderr.contains("on \(ranks) rank(s) × 1 thread(s)"), "\(outcome.stderr)")
        }
        #expect(try runs(dtb) == 3)
    }

    @Test(.requires(.mpirun, .dtbExecutable, .atlasMirror)) func aRankThatDiesLeavesNothingRecorded() async throws {
        let (dtb, command) = try await prepared()
        let before = try runs(dtb)
        // Rank 1 is killed two seconds into a run that takes far longer.
        let run = try runArguments(threads: 1, seconds: 600).map { "'\($0)'" }.joined(separator: " ")
        let script = "if [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then (sleep 2; kill -9 $$) & fi; exec \(run)"
        let outcome = try MPIRun.run(ranks: 2, ["/bin/sh", "-c", script], environment: command.environment, timeout: .seconds(120))
        #expect(outcome.status != 0)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("signal 9"), "\(outcome.stderr)")
        #expect(try runs(dtb) == before)
    }

    /// A damaged edges file stops every rank before the first window with one line naming the
    /// file (rank 0 verifies the checksums; no rank reads the file), and nothing is recorded.
    @Test(.requires(.mpirun, .dtbExecutable, .atlasMirror)) func aDamagedEdgesFileIsOneLineNamingIt() async throws {
        let database = try await PreparedDatabases.sampleSubject().database
        let (dtb, command) = try await prepared(database)
        let before = try runs(dtb)
        let shown = try JSONSerialization.jsonObject(with: Data(dtb.run(["twin", "show", Self.twin, "--json"]).stdout.utf8)) as? [String: Any]
        let files = try #require((shown?["version"] as? [String: Any])?["files"] as? [[String: Any]])
        let stored = try #require(files.first { $0["role"] as? String == "edges" }?["path"] as? String)
        let edges = database.files.url(of: stored)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: edges.path)
        let handle = try FileHandle(forUpdating: edges)
        try handle.seek(toOffset: try handle.seekToEnd() / 2)
        try handle.write(contentsOf: Data([0xDE, 0xAD, 0xBE, 0xEF]))
        try handle.close()

        let outcome = try MPIRun.run(ranks: 2, try runArguments(threads: 1), environment: command.environment)
        #expect(outcome.status != 0)
        #expect(outcome.stdout.isEmpty)
        let lines = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }
        #expect(lines.count == 1 && lines[0].contains(edges.path) && lines[0].contains("checksum"), "\(outcome.stderr)")
        #expect(try runs(dtb) == before)
    }

    /// The keys of `dtb twin run --json` the tests compare.
    struct Run: Decodable {
        struct File: Decodable { var sha256: String }
        var spikes: Int
        var file: File
    }
}
