import DTBTestSupport
import Foundation
import Ingest
import Store
import Testing

@Suite struct CrashTests {
    /// `kill -9` of `dtb ingest` after its rows and HDF5 files are written but before the commit:
    /// no partial rows, no row pointing to a missing file, and a later ingest succeeds.
    @Test(.requires(.dtbExecutable))
    func killDuringIngestLeavesNoPartialRows() async throws {
        let (database, root, _) = try await toySession()
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try tableCounts(database.connection)
        // The HDF5 files are already moved into place and their rows inserted (uncommitted) when it dies.
        #expect(try killBeforeCommit(["ingest", root.path], database: database, expected: before) == before)
        try verifyRecordedFiles(database)
        // And the ingest can simply be run again.
        let report = try SubjectIngester(database: database).ingest(root: root)
        #expect(report.sessions.map(\.action) == [.ingested])
        #expect(try SubjectCatalog(database: database).subject("01").measures.count == 4)
    }
}
