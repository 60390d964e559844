import Foundation
import Postgres

/// The `dtb` database: a migrated connection plus the data home whose files it points to.
///
/// `DTB_DATABASE_URL` selects an existing server; without it the embedded cluster in the data
/// home is created and started on first use and reused afterwards.
public final class Database {
    public let connection: PostgresConnection
    public let home: DataHome
    /// Where the connection came from, for `dtb db status`.
    public let origin: Origin

    public enum Origin: Sendable, Equatable {
        case url(String)
        case embedded(directory: String)
    }

    /// Opens (and if needed creates and migrates) the database named by the environment.
    public static func open(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Database {
        let home = DataHome.fromEnvironment(environment)
        if let url = environment["DTB_DATABASE_URL"], !url.isEmpty {
            return try Database(connection: PostgresConnection(url), home: home, origin: .url(url))
        }
        return try openEmbedded(home: home)
    }

    /// Starts (creating if needed) the embedded cluster of `home` and opens its `dtb` database.
    public static func openEmbedded(home: DataHome, durable: Bool = true) throws -> Database {
        try home.create()
        let cluster = EmbeddedCluster(home: home.root, durable: durable)
        try cluster.start()
        try createDatabaseIfMissing(EmbeddedCluster.database, cluster: cluster)
        let connection = try PostgresConnection(cluster.connectionString)
        return try Database(connection: connection, home: home, origin: .embedded(directory: cluster.directory.path))
    }

    /// Wraps an open connection and brings its schema up to date.
    public init(connection: PostgresConnection, home: DataHome, origin: Origin,
                migrator: Migrator? = nil) throws {
        self.connection = connection
        self.home = home
        self.origin = origin
        try (migrator ?? Migrator(directory: ProjectResources.schemaDirectory())).migrate(connection)
    }

    /// The files this database points to.
    public var files: FileStore { FileStore(home: home) }

    /// The newest migration applied (`Schema/NNNN_…sql`); nil before the first.
    public func schemaVersion() throws -> Int? {
        try connection.query("SELECT max(version) FROM schema_migration").scalar().int
    }

    /// The server's version, e.g. `16.4`.
    public func serverVersion() throws -> String? {
        try connection.query("SHOW server_version").scalar().string
    }

    static func createDatabaseIfMissing(_ name: String, cluster: EmbeddedCluster) throws {
        let admin = try PostgresConnection(cluster.connectionString(database: "postgres"))
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).count == 1
        guard !exists else { return }
        do {
            try admin.execute("CREATE DATABASE \(admin.quoteIdentifier(name))")
        } catch let error as PostgresError where error.sqlState == "42P04" {
            // Another dtb process created it first: that is what we wanted.
        }
    }
}
