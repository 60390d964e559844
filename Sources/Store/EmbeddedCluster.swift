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

/// Where the PostgreSQL server programs are and how to run them as the right user.
enum ServerTools {
    struct Outcome {
        var exitCode: Int32
        var output: String
    }

    /// Runs a server program; as root, as the `postgres` user.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], allowFailure: Bool = false, failure: String? = nil) throws -> Outcome {
        let executable = try path(of: tool)
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments
                                    : [executable] + arguments
        // Output goes to a file, not a pipe: the server that `pg_ctl start` leaves running would
        // inherit the pipe and we would wait for its end forever.
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("dtb-\(tool)-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: capture) }
        let status = try spawnAndWait(command, output: capture.path)
        let data = (try? Data(contentsOf: capture)) ?? Data()
        let outcome = Outcome(exitCode: status, output: String(decoding: data, as: UTF8.self))
        if outcome.exitCode != 0 && !allowFailure {
            let lastLine = outcome.output.split(separator: "\n").last.map(String.init) ?? "exit \(outcome.exitCode)"
            throw StoreError.server("\(failure ?? "\(tool) failed"): \(lastLine)")
        }
        return outcome
    }

    /// Runs a program with stdin from /dev/null, stdout+stderr into `output` and no other open
    /// descriptors; returns its exit
    /// status. posix_spawn + waitpid rather than Foundation's Process, whose child reaping can
    /// stall when several threads start processes at once.
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module
    /// does not declare; nil on a C library without it.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func spawnAndWait(_ command: [String], output: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else: the server outlives its starter, and an inherited descriptor (an HDF5
        // file another thread has open, with its lock) would stay open in it for good.
        _ = closeFrom?(&actions, 3)
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard spawned == 0 else {
            throw StoreError.server("cannot run \(command[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Finds a server program: `DTB_PG_BINDIR`, then Debian's newest `/usr/lib/postgresql/N/bin`,
    /// then `PATH`.
    static func path(of tool: String) throws -> String {
        let manager = FileManager.default
        var candidates: [String] = []
        if let bindir = ProcessInfo.processInfo.environment["DTB_PG_BINDIR"] { candidates.append(bindir) }
        let versions = (try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates where manager.isExecutableFile(atPath: "\(directory)/\(tool)") {
            return "\(directory)/\(tool)"
        }
        throw StoreError.server("\(tool) not found: install PostgreSQL (scripts/setup.sh) or set DTB_PG_BINDIR")
    }

    /// Creates the cluster directory; as root, hands it to the `postgres` user and checks that
    /// this user can reach it (it cannot enter a mode-700 `/root`, for one).
    static func prepareDirectory(_ directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        guard getuid() == 0 else { return }
        guard let account = getpwnam("postgres") else {
            throw StoreError.server("running as root needs the postgres system user (install the postgresql package)")
        }
        guard chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw StoreError.server("cannot hand \(directory.path) to the postgres user: \(String(cString: strerror(errno)))")
        }
        let probe = try run("test", ["-w", directory.path], allowFailure: true)
        if probe.exitCode != 0 {
            throw StoreError.server("""
                the postgres user cannot reach \(directory.path); as root, set DTB_HOME to a directory \
                every user can traverse (default /var/lib/dtb)
                """)
        }
    }
}

/// An exclusive `flock` on a file, held for the duration of a closure.
enum FileLock {
    static func holding<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        let descriptor = open(url.path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else {
            throw StoreError.server("cannot open lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw StoreError.server("cannot lock \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
