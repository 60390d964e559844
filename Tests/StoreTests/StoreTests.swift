import DTBTestSupport
import Foundation
import Postgres
import Store
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, digest: String) {
        #expect(SHA256.hex(Array(input.utf8)) == digest)
    }

    @Test func streamingEqualsOneShotAcrossBlockBoundaries() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256()
        for chunk in stride(from: 0, to: bytes.count, by: 37) { hasher.update(Array(bytes[chunk..<min(chunk + 37, bytes.count)])) }
        #expect(hasher.finalize() == SHA256.hex(bytes))
    }

    @Test func agreesWithSha256sum() throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sha-\(UUID()).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 3) }).write(to: url)
        let sha256sum = try ChildProcess.run(executable: URL(fileURLWithPath: "/usr/bin/sha256sum"), arguments: [url.path])
        #expect(sha256sum.status == 0, "\(sha256sum.stderr)")
        #expect(try SHA256.hex(ofFile: url.path) == String(sha256sum.stdout.prefix(64)))
    }
}

@Suite struct MigrationTests {
    @Test func schemaIsAppliedAndRecorded() throws {
        let database = try TestDatabase.make()
        let applied = try database.connection.query("SELECT version, name FROM schema_migration ORDER BY version")
        #expect(applied.count >= 1)
        #expect(applied[0][1].string == "atlas")
        // Opening again applies nothing new.
        let again = try Migrator(directory: ProjectResources.schemaDirectory()).migrate(database.connection)
        #expect(again.isEmpty)
    }

    @Test func editedMigrationRefusesToStart() throws {
        let database = try TestDatabase.make()
        var migrations = try Migrator(directory: ProjectResources.schemaDirectory()).migrations
        migrations[0].sql += "\n-- edited"
        migrations[0].checksum = SHA256.hex(Array(migrations[0].sql.utf8))
        let error = #expect(throws: StoreError.self) { try Migrator(migrations: migrations).migrate(database.connection) }
        #expect(error?.description.contains("Schema/0001_atlas.sql differs from the migration applied") == true)
    }

    @Test func databaseNewerThanFilesIsRefused() throws {
        let database = try TestDatabase.make()
        let migrations = try Migrator(directory: ProjectResources.schemaDirectory()).migrations
        try database.connection.query("INSERT INTO schema_migration (version, name, checksum) VALUES ($1, 'future', $2)",
                                       [migrations.count + 1, String(repeating: "0", count: 64)])
        let error = #expect(throws: StoreError.self) { try Migrator(migrations: migrations).migrate(database.connection) }
        #expect(error?.description.contains("has no such file") == true)
    }

    @Test func gapsInNumberingAreRejected() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: directory.appendingPathComponent("0003_c.sql"), atomically: true, encoding: .utf8)
        let error = #expect(throws: StoreError.self) { try Migrator(directory: directory) }
        #expect(error?.description == "0003_c.sql: expected migration number 2; numbers run 1, 2, 3… without gaps")
    }
}

@Suite struct FileStoreTests {
    @Test func registeredFileIsContentAddressedAndVerified() throws {
        let database = try TestDatabase.make()
        let staged = try database.files.stage(kind: "test", extension: "bin", format: "other") { url in
            try Data("voxels".utf8).write(to: url)
        }
        let stored = try database.connection.transaction { try database.files.register(staged, on: $0) }
        #expect(stored.relativePath == "test/\(stored.sha256.prefix(2))/\(stored.sha256).bin")
        #expect(try database.files.verify(stored).path == database.files.url(of: stored.relativePath).path)
        try Data("tampered".utf8).write(to: database.files.url(of: stored.relativePath))
        let error = #expect(throws: StoreError.self) { try database.files.verify(stored) }
        #expect(error?.description.contains("checksum mismatch") == true)
    }

    @Test func failedTransactionLeavesNoFileAndNoRow() throws {
        let database = try TestDatabase.make()
        let staged = try database.files.stage(kind: "test", extension: "bin", format: "other") { url in
            try Data("half an ingest".utf8).write(to: url)
        }
        struct Crash: Error {}
        #expect(throws: Crash.self) {
            try database.connection.transaction { connection in
                _ = try database.files.register(staged, on: connection)
                throw Crash()
            }
        }
        database.files.discard(staged, on: database.connection)
        #expect(try database.connection.query("SELECT count(*) FROM data_file").scalar().int == 0)
        #expect(!FileManager.default.fileExists(atPath: database.files.url(of: staged.relativePath).path))
        #expect(!FileManager.default.fileExists(atPath: staged.temporary.path))
    }
}

@Suite struct EmbeddedClusterTests {
    /// A second cluster, started, reused and stopped like `dtb db start|status|stop` does.
    @Test func lifecycle() throws {
        let home = DataHome(root: TestDatabase.root.appendingPathComponent("lifecycle-\(UUID().uuidString.prefix(8))"))
        try home.create()
        let cluster = EmbeddedCluster(home: home.root, durable: false)
        #expect(try cluster.status() == .notInitialised)
        let database = try Database.openEmbedded(home: home, durable: false)
        #expect(try cluster.status() == .running)
        #expect(try database.connection.query("SELECT current_user").scalar().string == "dtb")
        // No TCP listener: the server is reachable only through the socket in its own directory.
        #expect(try database.connection.query("SHOW listen_addresses").scalar().string == "")
        try cluster.start()   // already running: a no-op
        try cluster.stop()
        #expect(try cluster.status() == .stopped)
        let reopened = try Database.openEmbedded(home: home, durable: false)
        #expect(try reopened.connection.query("SELECT count(*) FROM schema_migration").scalar().int! >= 1)
        try cluster.stop()
    }
}

/// The schema itself refuses a broken atlas, whatever code writes it.
@Suite struct AtlasConstraintTests {
    let database: Database
    init() throws { database = try TestDatabase.make() }

    private func insertAtlas(_ connection: PostgresConnection, regionCount: Int) throws -> Int {
        try connection.query("""
            INSERT INTO atlas (name, title, version, template_space, citation, licence, content_sha256, region_count)
            VALUES ('broken', 't', '1', 'MNI152NLin6Asym', 'c', 'l', $1, $2) RETURNING id
            """, [String(repeating: "a", count: 64), regionCount]).scalar().int!
    }

    @Test func atlasWithFewerRegionsThanDeclaredCannotCommit() throws {
        let error = #expect(throws: PostgresError.self) {
            try database.connection.transaction { connection in
                let id = try insertAtlas(connection, regionCount: 2)
                try connection.query("""
                    INSERT INTO region (atlas_id, label, name, hemisphere, kind, centroid_mni)
                    VALUES ($1, 1, 'a', 'left', 'cortical', '{0,0,0}')
                    """, [id])
            }
        }
        #expect(error?.message == "atlas broken declares 2 regions but has 1")
        #expect(error?.isIntegrityViolation == true)
        #expect(try database.connection.query("SELECT count(*) FROM atlas").scalar().int == 0)
    }

    @Test func enumeratedColumnsAreChecked() throws {
        let error = #expect(throws: PostgresError.self) {
            try database.connection.transaction { connection in
                let id = try insertAtlas(connection, regionCount: 1)
                try connection.query("""
                    INSERT INTO region (atlas_id, label, name, hemisphere, kind, centroid_mni)
                    VALUES ($1, 1, 'a', 'middle', 'cortical', '{0,0,0}')
                    """, [id])
            }
        }
        #expect(error?.sqlState == "23514")   // check_violation
    }
}

/// The migrations and manifests compiled into dtb are the checkout's files, byte for byte.
@Suite struct EmbeddedResourceTests {
    func files(_ directory: URL, suffix: String) throws -> [String: String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(suffix) }
        var contents: [String: String] = [:]
        for name in names { contents[name] = SHA256.hex(try Data(contentsOf: directory.appendingPathComponent(name))) }
        return contents
    }

    @Test func embeddedFilesAreTheCheckoutsFiles() throws {
        let stale = "stale: run scripts/embed-resources.py"
        #expect(EmbeddedResources.schema.mapValues { SHA256.hex(Data($0.utf8)) } == (try files(ProjectResources.schemaDirectory(), suffix: ".sql")), "\(stale)")
        #expect(EmbeddedResources.atlases.mapValues { SHA256.hex(Data($0.utf8)) } == (try files(ProjectResources.atlasesDirectory(), suffix: ".json")), "\(stale)")
    }

    @Test func embeddedMigrationsHaveTheFilesChecksums() throws {
        let embedded = try Migrator(files: EmbeddedResources.schema.mapValues { Data($0.utf8) }).migrations
        #expect(embedded == (try Migrator(directory: ProjectResources.schemaDirectory()).migrations))
    }
}
