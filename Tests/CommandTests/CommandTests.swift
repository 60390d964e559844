import DTBTestSupport
import Foundation
import NIfTI
import Store
import Testing

/// Runs the built `dtb` executable (it sits beside the test bundle) against a test database.
struct DTBProcess {
    let environment: [String: String]

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    init(database: Database) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["DTB_DATABASE_URL"] = try TestDatabase.connectionString(for: database)
        environment["DTB_HOME"] = database.home.root.path
        environment["DTB_ATLAS_MIRROR"] = sharedDirectory()?.appendingPathComponent("atlas-data").path
        self.environment = environment
    }

    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dtb")
    }

    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite(.serialized) struct CommandTests {
    @Test func unknownAtlasIsOneLineAndNonZero() throws {
        guard FileManager.default.isExecutableFile(atPath: DTBProcess.executable.path) else { return }
        let dtb = try DTBProcess(database: TestDatabase.make())
        let result = try dtb.run(["atlas", "show", "nosuch"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "dtb: atlas 'nosuch' does not exist (none imported; run `dtb atlas import brainnetome246`)\n")
    }

    @Test func importShowAndRegionsAsJSON() throws {
        guard FileManager.default.isExecutableFile(atPath: DTBProcess.executable.path), sharedDirectory() != nil else { return }
        let database = try TestDatabase.make()
        let dtb = try DTBProcess(database: database)
        let imported = try dtb.run(["atlas", "import", "brainnetome246", "--json"])
        #expect(imported.status == 0)
        let outcome = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
        #expect(outcome?["action"] as? String == "imported")
        #expect(imported.stderr.contains("importing atlas brainnetome246"))

        let show = try dtb.run(["atlas", "show", "brainnetome246", "--json"])
        let summary = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        #expect(summary?["regions"] as? Int == 246)
        #expect(summary?["hemispheres"] as? [String: Int] == ["left": 123, "right": 123])
        #expect(summary?["levels"] as? [String: Int] == ["lobe": 7, "gyrus": 24])

        let regions = try dtb.run(["atlas", "regions", "brainnetome246", "--gyrus", "SFG", "--hemisphere", "left", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(regions.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 7)

        let again = try dtb.run(["atlas", "import", "brainnetome246"])
        #expect(again.stdout == "brainnetome246: unchanged (246 regions)\n")
    }

    @Test func badImportExitsNonZeroAndStoresNothing() throws {
        guard FileManager.default.isExecutableFile(atPath: DTBProcess.executable.path) else { return }
        let database = try TestDatabase.make()
        let dtb = try DTBProcess(database: database)
        let directory = database.home.root
        let volume = directory.appendingPathComponent("broken.nii.gz")
        try Data([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]).write(to: volume)
        let table = directory.appendingPathComponent("t.tsv")
        try "index\tname\n1\ta\n".write(to: table, atomically: true, encoding: .utf8)
        let before = try tableCounts(database.connection)
        let result = try dtb.run(["atlas", "import", "toy", "--volume", volume.path, "--table", table.path])
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("dtb: \(volume.path): ") == true)
        #expect(try tableCounts(database.connection) == before)
    }
}
