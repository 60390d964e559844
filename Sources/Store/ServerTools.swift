import Foundation

/// Where the PostgreSQL server programs are and how to run them as the right user.
enum ServerTools {
    struct Outcome {
        var exitCode: Int32
        var output: String
    }

    /// Runs a server program; as root, as the `postgres` user. On failure the error names the
    /// cause: the program's first error line (initdb's last line only says it cleaned up), or
    /// the last fatal line of `log` (pg_ctl start leaves the reason in the server's log).
    @discardableResult
    ///
    /// `directory` is the program's working directory: pg_ctl starts the server through
    /// `/bin/sh` with the paths in double quotes, so a path with `"`, `$` or `` ` `` in it must
    /// reach it relative to a directory without them in the way.
    static func run(_ tool: String, _ arguments: [String], allowFailure: Bool = false, failure: String? = nil,
                    log: URL? = nil, in directory: URL? = nil) throws -> Outcome {
        let executable = try path(of: tool)
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments
                                    : [executable] + arguments
        // Output goes to a file, not a pipe: the server that `pg_ctl start` leaves running would
        // inherit the pipe and we would wait for its end forever.
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("dtb-\(tool)-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: capture) }
        // Only what this run adds to the log: an earlier start's fatal line is not this one's cause.
        let logStart = log.flatMap { try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int } ?? 0
        let status = try spawnAndWait(command, output: capture.path, directory: directory?.path)
        let data = (try? Data(contentsOf: capture)) ?? Data()
        let outcome = Outcome(exitCode: status, output: String(decoding: data, as: UTF8.self))
        if outcome.exitCode != 0 && !allowFailure {
            let logText = log.flatMap { try? Data(contentsOf: $0) }.map { String(decoding: $0.dropFirst(logStart), as: UTF8.self) } ?? ""
            let cause = cause(in: logText, last: true) ?? cause(in: outcome.output, last: false)
                ?? outcome.output.split(separator: "\n").last.map(String.init) ?? "exit \(outcome.exitCode)"
            throw StoreError.server("\(failure ?? "\(tool) failed"): \(cause)")
        }
        return outcome
    }

    /// The line of a server program's output that says what went wrong: the first (or, for a
    /// log that grows over many starts, the last) line with an error or fatal level.
    static func cause(in output: String, last: Bool) -> String? {
        let markers = ["error:", "FATAL:", "PANIC:", "No space left", "could not", "cannot"]
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let found = lines.filter { line in markers.contains { line.contains($0) } }
        guard let line = last ? found.last : found.first else { return nil }
        // A server line's timestamp and pid say nothing to the user: start at its level.
        guard let level = ["FATAL:", "PANIC:"].lazy.compactMap({ line.range(of: $0) }).first else { return line }
        return String(line[level.lowerBound...])
    }

    /// A Foundation or POSIX error as the one line `strerror` would give.
    static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.domain == NSPOSIXErrorDomain ? underlying?.code : nil {
            return String(cString: strerror(Int32(code)))
        }
        if (error as NSError).domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32((error as NSError).code))) }
        return error.localizedDescription
    }

    /// Creates a directory (and its parents), naming `what` and the system's reason when it cannot.
    static func createDirectory(_ url: URL, what: String) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        } catch {
            throw StoreError.server("cannot create \(what) \(url.path): \(reason(error))")
        }
    }

    /// Writes a small text file whole.
    static func write(_ text: String, to url: URL) throws {
        do {
            try Data(text.utf8).write(to: url)
        } catch {
            throw StoreError.server("cannot write \(url.path): \(reason(error))")
        }
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

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), likewise undeclared.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    private static func spawnAndWait(_ command: [String], output: String, directory: String?) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else: the server outlives its starter, and an inherited descriptor (an HDF5
        // file another thread has open, with its lock) would stay open in it for good.
        _ = closeFrom?(&actions, 3)
        if let directory {
            guard let addChdir else { throw StoreError.server("this C library cannot start a program in \(directory)") }
            _ = addChdir(&actions, directory)
        }
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

    /// Creates the server's socket directory (mode 700, the server's user's) unless it exists;
    /// refuses one that somebody else owns, whose socket another user could replace.
    static func prepareSocketDirectory(_ path: String) throws {
        let owner: uid_t
        if getuid() == 0 {
            guard let account = getpwnam("postgres") else {
                throw StoreError.server("running as root needs the postgres system user (install the postgresql package)")
            }
            owner = account.pointee.pw_uid
            if mkdir(path, 0o700) == 0 { _ = chown(path, owner, account.pointee.pw_gid) }
        } else {
            owner = getuid()
            _ = mkdir(path, 0o700)
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw StoreError.server("cannot create the socket directory \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == owner else {
            throw StoreError.server("the socket directory \(path) exists and is not a directory of the server's user; remove it")
        }
    }
}
