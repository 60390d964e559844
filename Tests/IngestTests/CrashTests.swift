import DTBTestSupport
import Foundation
import Ingest
import Postgres
import Store
import Testing

/// The `dtb` executable beside the test bundle (built with the package), when present.
let dtbExecutable: URL? = {
    let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dtb")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}()

@Suite struct CrashTests {
    /// `kill -9` of `dtb ingest` after its rows and HDF5 files are written but before the commit:
    /// no partial rows, no row pointing to a missing file, and a later ingest succeeds.
    @Test(.enabled(if: dtbExecutable != nil, "needs the dtb executable beside the tests"))
    func killDuringIngestLeavesNoPartialRows() throws {
        let database = try toyDatabase()
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let bids = try BIDSBuilder(root: root)
        try bids.addSession("01")
        let before = try tableCounts(database.connection)

        guard case .embedded(let directory) = database.origin else { Issue.record("expected an embedded test cluster"); return }
        let name = try database.connection.query("SELECT current_database()").scalar().string!
        let cluster = EmbeddedCluster(home: URL(fileURLWithPath: directory).deletingLastPathComponent())
        let child = Process()
        child.executableURL = dtbExecutable
        child.arguments = ["ingest", root.path]
        var environment = ProcessInfo.processInfo.environment
        environment["DTB_DATABASE_URL"] = cluster.connectionString(database: name)
        environment["DTB_HOME"] = database.home.root.path
        environment["DTB_INGEST_STALL_BEFORE_COMMIT"] = "60"
        child.environment = environment
        let errors = Pipe()
        child.standardError = errors
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(30)
        while !seen.contains("stalling before commit") && Date() < deadline && child.isRunning {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("stalling before commit"), "stderr: \(seen)")
        // The HDF5 files are already moved into place and their rows inserted (uncommitted).
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)

        // The server rolls the dead session's transaction back once it notices the closed socket.
        var after = try tableCounts(database.connection)
        let wait = Date().addingTimeInterval(10)
        while after != before && Date() < wait {
            Thread.sleep(forTimeInterval: 0.1)
            after = try tableCounts(database.connection)
        }
        #expect(after == before)
        // Every recorded file exists with its checksum.
        for row in try database.connection.query("SELECT id, relative_path, sha256, size_bytes FROM data_file") {
            let file = StoredFile(id: row[0].int!, relativePath: row[1].string!, sha256: row[2].string!, size: Int64(row[3].int!))
            #expect(throws: Never.self) { _ = try database.files.verify(file) }
        }
        // And the ingest can simply be run again.
        let report = try SubjectIngester(database: database).ingest(root: root)
        #expect(report.sessions.map(\.action) == [.ingested])
        #expect(try SubjectCatalog(database: database).subject("01").measures.count == 4)
    }
}
