import DTBTestSupport
import Foundation
import Ingest
import Store
import Testing

/// Runs the `dtb` executable against a test database; returns (status, stdout, stderr).
func runDTB(_ arguments: [String], database: Database) throws -> (Int32, String, String) {
    guard case .embedded(let directory) = database.origin else { throw IngestError("expected an embedded test cluster") }
    let name = try database.connection.query("SELECT current_database()").scalar().string!
    let cluster = EmbeddedCluster(home: URL(fileURLWithPath: directory).deletingLastPathComponent())
    let process = Process()
    process.executableURL = dtbExecutable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["DTB_DATABASE_URL"] = cluster.connectionString(database: name)
    environment["DTB_HOME"] = database.home.root.path
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite struct CommandLineTests {
    @Test(.enabled(if: dtbExecutable != nil, "needs the dtb executable beside the tests"))
    func ingestAndSubjectCommands() throws {
        let database = try toyDatabase()
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let bids = try BIDSBuilder(root: root)
        try bids.addSession("01", "a")

        let (status, stdout, _) = try runDTB(["ingest", root.path, "--json"], database: database)
        #expect(status == 0)
        let report = try JSONStyle.decoder().decode(IngestReport.self, from: Data(stdout.utf8))
        #expect(report.sessions.map(\.measuresAdded) == [4])

        let (showStatus, show, _) = try runDTB(["subject", "show", "sub-01", "--json"], database: database)
        #expect(showStatus == 0)
        let detail = try JSONStyle.decoder().decode(SubjectDetail.self, from: Data(show.utf8))
        #expect(detail.label == "01" && detail.sessions == ["a"] && detail.scans.count == 8)
        let gm = try #require(detail.measures.first { $0.kind == .grayMatterVolume })
        #expect(gm.values?.map(\.value) == Toy.reference(Toy.map(Toy.gm)).sums.map { $0 * 8 })

        let (listStatus, list, _) = try runDTB(["subject", "list", "--json"], database: database)
        #expect(listStatus == 0)
        #expect(try JSONStyle.decoder().decode([SubjectSummary].self, from: Data(list.utf8)).map(\.label) == ["01"])

        // A bad file: exit 1, one line `dtb: <file>: <problem>`, nothing stored.
        let before = try tableCounts(database.connection)
        try writeText("0 1000\n", to: bids.url("sub-01/ses-a/dwi/sub-01_ses-a_dwi.bval"))
        let (badStatus, _, badError) = try runDTB(["ingest", root.path], database: database)
        #expect(badStatus == 1)
        let lines = badError.split(separator: "\n").filter { $0.hasPrefix("dtb: ") }
        #expect(lines == ["dtb: \(bids.url("sub-01/ses-a/dwi/sub-01_ses-a_dwi.bval").path): has 2 b-values but the DWI image has 3 volumes"])
        #expect(try tableCounts(database.connection) == before)

        let (missingStatus, _, missing) = try runDTB(["subject", "show", "nobody"], database: database)
        #expect(missingStatus == 1 && missing.hasPrefix("dtb: subject 'nobody' does not exist (known: 01)"))
    }
}
