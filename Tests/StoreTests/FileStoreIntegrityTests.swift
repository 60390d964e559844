import DTBTestSupport
import Foundation
import Postgres
import Store
import Testing

/// The file store under concurrent writers, damaged files, dead writers, and `FileStoreCheck`.
@Suite struct FileStoreIntegrityTests {
    struct Failure: Error {}

    func stage(_ database: Database, _ text: String) throws -> StagedFile {
        try database.files.stage(kind: "test", extension: "bin", format: "other") { try Data(text.utf8).write(to: $0) }
    }

    func rowCount(_ database: Database) throws -> Int {
        try database.connection.query("SELECT count(*) FROM data_file").scalar().int!
    }

    /// Two writers of identical files, the first failing while the second commits: the committed
    /// row's file must be there (the failing writer's discard used to delete it).
    @Test func aFailingWriterCannotDeleteTheFileAnIdenticalWriterCommits() throws {
        let database = try TestDatabase.make()
        let other = try TestDatabase.connect(to: database)
        let first = try stage(database, "identical nodes"), second = try stage(database, "identical nodes")
        let committed = DispatchSemaphore(value: 0)
        // The second writer's thread uses its own connection only, and the test waits for it.
        nonisolated(unsafe) let secondWriter = (other, database.files, second)
        #expect(throws: Failure.self) {
            try database.connection.transaction { connection in
                _ = try database.files.register(first, on: connection)
                Thread.detachNewThread {
                    // Blocks on the path's lock until the first writer's transaction has ended.
                    let (connection, files, staged) = secondWriter
                    _ = try? connection.transaction { try files.register(staged, on: $0) }
                    committed.signal()
                }
                Thread.sleep(forTimeInterval: 0.3)
                throw Failure()
            }
        }
        database.files.discard(first, on: database.connection)
        committed.wait()
        database.files.discard(second, on: other)
        #expect(try rowCount(database) == 1)
        try verifyRecordedFiles(database)
    }

    @Test func aDamagedFileInPlaceIsReplacedNotAdopted() throws {
        let database = try TestDatabase.make()
        let staged = try stage(database, "posterior ensemble")
        let stored = try database.connection.transaction { try database.files.register(staged, on: $0) }
        try Data("posterior ensembl\u{0}".utf8).write(to: database.files.url(of: stored.relativePath))   // same size, other bytes
        let again = try stage(database, "posterior ensemble")
        _ = try database.connection.transaction { try database.files.register(again, on: $0) }
        #expect(try database.files.verify(stored).lastPathComponent == "\(stored.sha256).bin")
        #expect(try rowCount(database) == 1)
    }

    /// Staging entries of a writer that is gone (no lock held for its pid) are stale; this
    /// process's own are not.
    @Test func deadWritersStagingIsFoundAndRemoved() throws {
        let database = try TestDatabase.make()
        let mine = try stage(database, "still being written")
        let staging = database.files.staging
        let dead = staging.appendingPathComponent("999999999-\(UUID().uuidString).h5")
        try Data("killed half-way".utf8).write(to: dead)
        let unowned = staging.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: unowned, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7 * 3600)], ofItemAtPath: unowned.path)
        let check = FileStoreCheck(store: database.files, connection: database.connection)

        let found = try check.run(repair: false)
        #expect(found.problems.map(\.kind) == [.staleStaging, .staleStaging])
        #expect(Set(found.problems.map(\.path)) == [".staging/\(dead.lastPathComponent)", ".staging/\(unowned.lastPathComponent)"])
        #expect(found.remaining == 2)
        let repaired = try check.run(repair: true)
        #expect(repaired.remaining == 0 && repaired.problems.allSatisfy(\.repaired))
        #expect(!FileManager.default.fileExists(atPath: dead.path) && !FileManager.default.fileExists(atPath: unowned.path))
        #expect(FileManager.default.fileExists(atPath: mine.temporary.path))
        #expect(try check.run(repair: false).problems.isEmpty)
    }

    /// Dangling rows, damaged files and orphans are found; a repair removes only the orphan.
    @Test func theCheckFindsDanglingRowsDamagedAndOrphanFiles() throws {
        let database = try TestDatabase.make()
        let stored = try ["gone", "damaged", "fine"].map { text in
            let staged = try stage(database, text)
            return try database.connection.transaction { try database.files.register(staged, on: $0) }
        }
        try FileManager.default.removeItem(at: database.files.url(of: stored[0].relativePath))
        try Data("DAMAGED".utf8).write(to: database.files.url(of: stored[1].relativePath))
        let orphan = database.files.url(of: "test/ab/orphan.bin")
        try FileManager.default.createDirectory(at: orphan.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("nobody's".utf8).write(to: orphan)
        let check = FileStoreCheck(store: database.files, connection: database.connection)

        let report = try check.run(repair: true)
        let expected: Set<String> = ["missing \(stored[0].relativePath) false", "checksum \(stored[1].relativePath) false",
                                     "orphan test/ab/orphan.bin true"]
        #expect(Set(report.problems.map { "\($0.kind.rawValue) \($0.path) \($0.repaired)" }) == expected)
        #expect(report.rows == 3 && report.files == 3 && report.remaining == 2)
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        #expect(try check.run(repair: true).remaining == 2)   // what cannot be repaired stays reported
    }
}
