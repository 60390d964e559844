import Foundation
import Postgres

/// A private PostgreSQL cluster that `dtb` initialises, starts and stops itself.
///
/// The cluster lives in `<home>/postgres` and listens only on a unix socket, so it never clashes
/// with another server's TCP port. The socket is in a short directory of its own,
/// `/tmp/dtb-pg-<16 hex digits>`, named at random when the cluster is created and recorded in
/// the cluster (`dtb_socket_directory`): a unix socket path holds at most 107 bytes, and the home
/// may be any path a user chooses (long, with spaces or quotes); and a server left running by a
/// deleted home of the same path cannot remove the socket of its successor.
///
/// PostgreSQL refuses to run as root; when `dtb` runs as root the server runs as the `postgres`
/// system user instead, which is why the home must be reachable by that user (see ``DataHome``).
public struct EmbeddedCluster: Sendable {
    /// The state `dtb db status` reports.
    public enum Status: String, Sendable, Codable {
        case notInitialised = "not-initialised"
        case stopped
        case running
    }

    /// The cluster's data directory.
    public let directory: URL
    /// Server settings written once, when the cluster is created.
    public var settings: [String: String]

    /// The superuser and database every `dtb` cluster has.
    public static let role = "dtb"
    public static let database = "dtb"

    /// The line `initialise` appends to `postgresql.conf`: a cluster without it was never finished.
    static let marker = "# dtb embedded cluster"

    /// - Parameters:
    ///   - home: the dtb data home; the cluster goes in its `postgres` subdirectory.
    ///   - durable: `false` turns off `fsync` (throw-away clusters for tests only).
    public init(home: URL, durable: Bool = true) {
        directory = home.appendingPathComponent("postgres", isDirectory: true)
        settings = [
            "listen_addresses": "''",
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

    /// libpq connection string for `database` over the cluster's socket.
    public func connectionString(database: String) -> String {
        "host=\(Self.quoted(socketDirectory)) dbname=\(Self.quoted(database)) user=\(Self.quoted(Self.role))"
    }

    /// A libpq connection-string value: single quotes, with `\` and `'` escaped.
    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The server's log.
    public var logFile: URL { directory.appendingPathComponent("server.log") }

    /// The file in the cluster that names its socket directory.
    var socketRecord: URL { directory.appendingPathComponent("dtb_socket_directory") }

    /// Where the server's socket is: the recorded directory; the data directory itself for a
    /// cluster made by a dtb before 0.3.1 that has not been restarted since.
    public var socketDirectory: String {
        guard let text = try? String(contentsOf: socketRecord, encoding: .utf8) else { return directory.path }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func status() throws -> Status {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialised
        }
        let result = try ServerTools.run("pg_ctl", ["-D", directory.path, "status"], allowFailure: true)
        return result.exitCode == 0 ? .running : .stopped
    }

    /// Initialises the cluster if needed, starts it if it is not running and creates the `dtb`
    /// database. Safe to call from several processes at once: they serialise on a lock file.
    /// What an interrupted earlier start left (a half-made cluster) is removed first.
    public func start(progress: (String) -> Void = { _ in }) throws {
        let home = directory.deletingLastPathComponent()
        try ServerTools.createDirectory(home, what: "the data home")
        try FileLock.holding(home.appendingPathComponent("postgres.lock")) {
            try removeUnfinishedClusters(progress: progress)
            if try status() == .notInitialised { try initialise(progress: progress) }
            if try status() == .stopped {
                try adoptSocketDirectory()
                try ServerTools.prepareSocketDirectory(socketDirectory)
                try ServerTools.run("pg_ctl", ["-D", directory.lastPathComponent, "-l", "\(directory.lastPathComponent)/server.log",
                                               "-w", "-t", "60", "start"],
                                    failure: "PostgreSQL did not start", log: logFile, in: home)
            }
            try createDatabaseIfMissing(Self.database)
        }
    }

    /// Stops the server (fast shutdown: open sessions are rolled back).
    public func stop() throws {
        guard try status() == .running else { return }
        try ServerTools.run("pg_ctl", ["-D", directory.path, "-m", "fast", "-w", "stop"])
        removeSocketDirectory()
    }

    /// Stops the server at once, without a checkpoint (throw-away clusters).
    public func stopImmediately() throws {
        try ServerTools.run("pg_ctl", ["-D", directory.path, "-m", "immediate", "-w", "stop"], allowFailure: true)
        removeSocketDirectory()
    }

    /// Removes the socket directory of a stopped server, with whatever socket files an immediate
    /// shutdown left in it (pg_ctl returns before the server has unlinked them all).
    private func removeSocketDirectory() {
        let socket = socketDirectory
        guard socket != directory.path, (try? status()) != .running else { return }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: socket)) ?? [] where name.hasPrefix(".s.PGSQL.") {
            unlink(socket + "/" + name)
        }
        rmdir(socket)
    }

    /// Builds the cluster in `postgres.init-<pid>` and renames it into place when it is complete,
    /// so that `postgres/` either does not exist or is a whole cluster.
    private func initialise(progress: (String) -> Void) throws {
        let building = directory.deletingLastPathComponent().appendingPathComponent("postgres.init-\(getpid())")
        try? FileManager.default.removeItem(at: building)
        progress("creating a PostgreSQL cluster in \(directory.path) (first use of this data home)")
        do {
            try ServerTools.prepareDirectory(building)
            try ServerTools.run("initdb", [
                "-D", building.lastPathComponent, "-U", Self.role, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
            ], failure: "cannot create the PostgreSQL cluster in \(directory.path)", in: building.deletingLastPathComponent())
            let socket = Self.newSocketDirectory()
            try appendSettings(settings.merging(["unix_socket_directories": "'\(socket)'"]) { $1 }, to: building)
            try ServerTools.write(socket + "\n", to: building.appendingPathComponent("dtb_socket_directory"))
            try FileManager.default.moveItem(at: building, to: directory)
        } catch {
            try? FileManager.default.removeItem(at: building)
            if error is StoreError { throw error }
            throw StoreError.server("cannot create the PostgreSQL cluster in \(directory.path): \(ServerTools.reason(error))")
        }
    }

    /// A socket directory no other cluster uses: short enough for any home (see the type's comment).
    static func newSocketDirectory() -> String {
        "/tmp/dtb-pg-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    private func appendSettings(_ settings: [String: String], to cluster: URL) throws {
        let lines = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
        let handle = try FileHandle(forWritingTo: cluster.appendingPathComponent("postgresql.conf"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n\(Self.marker)\n" + lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Removes what a killed start left: `postgres.init-*` directories (this process holds the
    /// lock, so nobody is building them) and a `postgres/` that an older dtb's interrupted
    /// initdb left without the settings it appends last (a cluster that never held data).
    private func removeUnfinishedClusters(progress: (String) -> Void) throws {
        let home = directory.deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: home.path)) ?? []
        for name in names where name.hasPrefix("postgres.init-") {
            try? FileManager.default.removeItem(at: home.appendingPathComponent(name))
        }
        guard FileManager.default.fileExists(atPath: directory.path) else { return }
        let configuration = (try? String(contentsOf: directory.appendingPathComponent("postgresql.conf"), encoding: .utf8)) ?? ""
        guard !configuration.contains(Self.marker) else { return }
        guard !FileManager.default.fileExists(atPath: directory.appendingPathComponent("postmaster.pid").path) else {
            throw StoreError.server("\(directory.path) is not a cluster dtb finished creating, and a server runs in it; stop that server")
        }
        progress("removing the unfinished PostgreSQL cluster in \(directory.path) (an earlier first start was interrupted)")
        do {
            try FileManager.default.removeItem(at: directory)
        } catch {
            throw StoreError.server("cannot remove the unfinished cluster \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Gives a stopped cluster made before socket directories were recorded one of its own (the
    /// last `unix_socket_directories` line of `postgresql.conf` wins).
    private func adoptSocketDirectory() throws {
        guard !FileManager.default.fileExists(atPath: socketRecord.path) else { return }
        let socket = Self.newSocketDirectory()
        try appendSettings(["unix_socket_directories": "'\(socket)'"], to: directory)
        try ServerTools.write(socket + "\n", to: socketRecord)
    }

    /// Creates `name` unless it exists; inside the start lock, so two first runs cannot race.
    private func createDatabaseIfMissing(_ name: String) throws {
        let admin = try PostgresConnection(connectionString(database: "postgres"))
        guard try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).count == 0 else { return }
        try admin.execute("CREATE DATABASE \(admin.quoteIdentifier(name))")
    }
}
