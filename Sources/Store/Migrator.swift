import Foundation
import Postgres

/// One numbered, forward-only schema migration: `Schema/NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String
    /// SHA-256 of the file's bytes, recorded when the migration is applied.
    public var checksum: String
    public var fileName: String { String(format: "%04d_%@.sql", version, name) }
}

/// Applies the migrations in `Schema/` in order and refuses to run against a database whose
/// applied migrations differ from the files (someone edited history instead of adding a file).
public struct Migrator: Sendable {
    public let migrations: [Migration]

    /// Advisory-lock key that serialises concurrent migrators ("dtb-migr" as ASCII).
    static let lockKey: Int64 = 0x6474_622d_6d69_6772

    public init(migrations: [Migration]) { self.migrations = migrations }

    /// Reads every `NNNN_name.sql` file of `directory`.
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        var files: [String: Data] = [:]
        for name in names { files[name] = try Data(contentsOf: directory.appendingPathComponent(name)) }
        try self.init(files: files)
    }

    /// The project's migrations (``ProjectResources/schemaFiles()``).
    public static func project() throws -> Migrator {
        try Migrator(files: ProjectResources.schemaFiles())
    }

    /// Migrations from `NNNN_name.sql` file contents by name.
    public init(files: [String: Data]) throws {
        var migrations: [Migration] = []
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            let stem = name.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw StoreError.migration("\(name): migration files are named NNNN_description.sql")
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]),
                                        sql: String(decoding: data, as: UTF8.self), checksum: SHA256.hex(data)))
        }
        for (index, migration) in migrations.enumerated() where migration.version != index + 1 {
            throw StoreError.migration("\(migration.fileName): expected migration number \(index + 1); numbers run 1, 2, 3… without gaps")
        }
        self.init(migrations: migrations)
    }

    /// Verifies applied migrations and applies the missing ones, each in its own transaction.
    /// - Returns: the migrations applied by this call.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [Migration] {
        try connection.transaction { connection in
            // Locked first: two first runs creating the table at once would collide in pg_type.
            try connection.advisoryTransactionLock(Self.lockKey)
            try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migration (
                version integer PRIMARY KEY CHECK (version > 0),
                name text NOT NULL,
                checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
            let applied = try connection.query("SELECT version, checksum FROM schema_migration ORDER BY version")
            let recorded = Dictionary(uniqueKeysWithValues: applied.map { ($0[0].int!, $0[1].string!) })
            try verify(recorded)
            var done: [Migration] = []
            for migration in migrations where recorded[migration.version] == nil {
                try connection.transaction { connection in
                    try connection.execute(migration.sql)
                    try connection.query("INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)",
                                         [migration.version, migration.name, migration.checksum])
                }
                done.append(migration)
            }
            return done
        }
    }

    private func verify(_ recorded: [Int: String]) throws {
        for (version, checksum) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let migration = migrations.first(where: { $0.version == version }) else {
                throw StoreError.migration("the database has migration \(version) applied but Schema/ has no such file; this dtb is older than the database")
            }
            guard migration.checksum == checksum else {
                throw StoreError.migration("""
                    Schema/\(migration.fileName) differs from the migration applied to this database \
                    (recorded sha256 \(checksum.prefix(12))…, file \(migration.checksum.prefix(12))…); \
                    migrations are forward only: restore the file and add a new one
                    """)
            }
        }
    }
}
