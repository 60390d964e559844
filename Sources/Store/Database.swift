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
    /// - Parameter progress: told when a first run creates the embedded cluster.
    public static func open(environment: [String: String] = ProcessInfo.processInfo.environment,
                            progress: (String) -> Void = { _ in }) throws -> Database {
        let home = DataHome.fromEnvironment(environment)
        if let url = environment["DTB_DATABASE_URL"], !url.isEmpty {
            return try Database(connection: PostgresConnection(url), home: home, origin: .url(url))
        }
        return try openEmbedded(home: home, progress: progress)
    }

    /// Starts (creating if needed) the embedded cluster of `home` and opens its `dtb` database.
    public static func openEmbedded(home: DataHome, durable: Bool = true, progress: (String) -> Void = { _ in }) throws -> Database {
        try home.create()
        let cluster = EmbeddedCluster(home: home.root, durable: durable)
        try cluster.start(progress: progress)
        let connection = try PostgresConnection(cluster.connectionString)
        return try Database(connection: connection, home: home, origin: .embedded(directory: cluster.directory.path))
    }

    /// Wraps an open connection and brings its schema up to date.
    public init(connection: PostgresConnection, home: DataHome, origin: Origin,
                migrator: Migrator? = nil) throws {
        self.connection = connection
        self.home = home
        self.origin = origin
        try (migrator ?? Migrator.project()).migrate(connection)
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
}
