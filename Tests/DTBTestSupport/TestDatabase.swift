import Foundation
import Postgres
import Store

/// A real PostgreSQL server for the test suite: one embedded cluster per test process (the same
/// code `dtb` uses), one fresh database per test: empty, or a copy of one prepared for many tests
/// (``make(preparedWith:_:)``).
public enum TestDatabase {
    /// The process-wide scratch directory; the cluster lives in it and is stopped at exit.
    public static let root: URL = {
        let url = URL(fileURLWithPath: "/tmp/dtb-test-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        return url
    }()

    static let cluster: Result<EmbeddedCluster, any Error> = Result {
        let home = DataHome(root: root)
        try home.create()
        let cluster = EmbeddedCluster(home: root, durable: false)
        try cluster.start()
        atexit { TestDatabase.shutdown() }
        return cluster
    }

    /// A new, empty, migrated database with its own data home for files.
    public static func make() throws -> Database {
        try create(named: uniqueName("test"))
    }

    /// Creates database `name` with the data home `root/name` and opens it migrated; a copy of
    /// `template`, database and data home, when one is given.
    static func create(named name: String, copying template: DatabaseTemplate? = nil) throws -> Database {
        let cluster = try cluster.get()
        try administer { admin in
            try admin.execute("CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0.name)" } ?? ""))
        }
        let home = DataHome(root: root.appendingPathComponent(name, isDirectory: true))
        if let template { try template.copyHome(to: home) }
        try home.create()
        return try Database(connection: PostgresConnection(cluster.connectionString(database: name)),
                            home: home, origin: .embedded(directory: cluster.directory.path))
    }

    /// Runs `body` on a connection to the cluster's `postgres` database (for statements about databases).
    static func administer(_ body: (PostgresConnection) throws -> Void) throws {
        try body(PostgresConnection(cluster.get().connectionString(database: "postgres")))
    }

    /// A database name no other test uses: `prefix_` and 32 hex digits.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// A second connection to the same database, for concurrency tests.
    public static func connect(to database: Database) throws -> PostgresConnection {
        try PostgresConnection(connectionString(for: database))
    }

    /// The libpq connection string of `database` (for `DTB_DATABASE_URL` in command tests).
    public static func connectionString(for database: Database) throws -> String {
        let name = try database.connection.query("SELECT current_database()").scalar().string!
        return try cluster.get().connectionString(database: name)
    }

    private static func shutdown() {
        if case .success(let cluster) = cluster { try? cluster.stopImmediately() }
        try? FileManager.default.removeItem(at: root)
    }
}

/// A snapshot of every user table's row count, to assert that a failed command changed nothing.
public func tableCounts(_ connection: PostgresConnection) throws -> [String: Int] {
    let tables = try connection.query("""
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
        """).map { $0[0].string! }
    var counts: [String: Int] = [:]
    for table in tables {
        counts[table] = try connection.query("SELECT count(*) FROM \(connection.quoteIdentifier(table))").scalar().int!
    }
    return counts
}

/// The repository's `../shared` folder (atlas data, peers), or `nil` when it is absent; tests ask
/// ``Prerequisites`` for what they need from it.
func sharedDirectory(file: String = #filePath) -> URL? {
    if let path = ProcessInfo.processInfo.environment["DTB_SHARED"] { return URL(fileURLWithPath: path) }
    var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    while directory.path != "/" {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            let shared = directory.deletingLastPathComponent().appendingPathComponent("shared")
            return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
        }
        directory.deleteLastPathComponent()
    }
    return nil
}
