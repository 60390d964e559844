import Foundation

/// A private PostgreSQL cluster that `dtb` initialises, starts and stops itself.
///
/// The cluster lives in `<home>/postgres` and listens only on a unix socket in that same
/// directory, so it never clashes with another server's TCP port. PostgreSQL refuses to run as
/// root; when `dtb` runs as root the server runs as the `postgres` system user instead, which is
/// why the directory must be reachable by that user (see ``DataHome``).
public struct EmbeddedCluster: Sendable {
    /// The state `dtb db status` reports.
    public enum Status: String, Sendable, Codable {
        case notInitialised = "not-initialised"
        case stopped
        case running
    }

    /// The cluster's data directory (also its socket directory).
    public let directory: URL
    /// Server settings written once, when the cluster is created.
    public var settings: [String: String]

    /// The superuser and database every `dtb` cluster has.
    public static let role = "dtb"
    public static let database = "dtb"

    /// - Parameters:
    ///   - home: the dtb data home; the cluster goes in its `postgres` subdirectory.
    ///   - durable: `false` turns off `fsync` (throw-away clusters for tests only).
    public init(home: URL, durable: Bool = true) {
        directory = home.appendingPathComponent("postgres", isDirectory: true)
        settings = [
            "listen_addresses": "''",
            "unix_socket_directories": "'\(directory.path)'",
            "unix_socket_permissions": "0700",
            "max_connections": "50",
            "shared_buffers": "128MB",
        ]
        if !durable {
            settings["fsync"] = "off"
            settings["synchronous_commit"] = "off"
            settings["full_page_writes"] = "off"
        }
    }

    /// libpq connection string for the `dtb` database over the socket.
    public var connectionString: String { connectionString(database: Self.database) }

    public func connectionString(database: String) -> String {
        "host='\(directory.path)' dbname='\(database)' user='\(Self.role)'"
    }

    public var logFile: URL { directory.appendingPathComponent("server.log") }

    public func status() throws -> Status {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialised
        }
        let result = try ServerTools.run("pg_ctl", ["-D", directory.path, "status"], allowFailure: true)
        return result.exitCode == 0 ? .running : .stopped
    }

    /// Initialises the cluster if needed and starts it if it is not running. Safe to call from
    /// several processes at once: they serialise on a lock file.
    public func start() throws {
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileLock.holding(directory.deletingLastPathComponent().appendingPathComponent("postgres.lock")) {
            if try status() == .notInitialised { try initialise() }
            if try status() == .stopped {
                try ServerTools.run("pg_ctl", ["-D", directory.path, "-l", logFile.path, "-w", "-t", "60", "start"],
                                    failure: "PostgreSQL did not start; see \(logFile.path)")
            }
        }
    }

    /// Stops the server (fast shutdown: open sessions are rolled back).
    public func stop() throws {
        guard try status() == .running else { return }
        try ServerTools.run("pg_ctl", ["-D", directory.path, "-m", "fast", "-w", "stop"])
    }

    /// Stops the server at once, without a checkpoint (throw-away clusters).
    public func stopImmediately() throws {
        try ServerTools.run("pg_ctl", ["-D", directory.path, "-m", "immediate", "-w", "stop"], allowFailure: true)
    }

    private func initialise() throws {
        try ServerTools.prepareDirectory(directory)
        try ServerTools.run("initdb", [
            "-D", directory.path, "-U", Self.role, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
        ], failure: "initdb failed for \(directory.path)")
        let lines = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
        let configuration = directory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n# dtb embedded cluster\n" + lines.joined(separator: "\n") + "\n").utf8))
    }
}
