import Foundation

/// Runs a program as a child process and collects what it writes.
///
/// Standard output and standard error are read at the same time, from one `poll` loop: a child
/// that fills one pipe (64 KiB) while the parent reads the other to its end would wait for ever.
/// `posix_spawn` and `waitpid` on the child's own pid, rather than Foundation's `Process`, whose
/// child reaping can stall when several threads start processes at once.
public enum ChildProcess {
    /// How a child ended.
    public enum Termination: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal (this number) ended it.
        case signalled(Int32)
    }

    /// What a finished child left behind.
    public struct Outcome: Sendable {
        /// How it ended.
        public var termination: Termination
        /// Everything it wrote to standard output.
        public var stdout: String
        /// Everything it wrote to standard error.
        public var stderr: String

        /// The exit status as a shell reports it: 128 plus the signal's number for a signalled child.
        public var status: Int32 {
            switch termination {
            case .exited(let status): status
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// Runs `executable` to its end, or until `timeout`, when it is killed and this throws.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment (by default this process's).
    ///   - stdin: what the child reads on standard input (by default nothing: `/dev/null`).
    ///   - killOnStandardErrorLine: called with each complete line the child writes to standard
    ///     error; when it returns `true` the child and its process group get `SIGKILL` (what a
    ///     crash test needs), and the outcome is still collected.
    public static func run(executable: URL, arguments: [String] = [],
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           stdin: Data? = nil, timeout: Duration = .seconds(300),
                           killOnStandardErrorLine: ((Substring) -> Bool)? = nil) throws -> Outcome {
        let command = ([executable.path] + arguments).joined(separator: " ")
        let input = try stdin.map(StandardInputFile.init)
        defer { input?.remove() }
        let (pid, output, errors) = try spawnLock.withLock {
            let output = try PipeEnds(), errors = try PipeEnds()
            do {
                let pid = try spawn(executable, arguments, environment, stdin: input?.path ?? "/dev/null", stdout: output, stderr: errors)
                return (pid, output, errors)
            } catch {
                output.closeBoth(); errors.closeBoth()
                throw error
            }
        }
        output.closeWriting(); errors.closeWriting()
        var collector = OutputCollector(pid: pid, stdout: output.reading, stderr: errors.reading,
                                        deadline: .now + timeout, onStandardErrorLine: killOnStandardErrorLine)
        let finished = collector.collect()
        if !finished { kill(-pid, SIGKILL) }
        let termination = wait(for: pid)
        let stderr = String(decoding: collector.stderr, as: UTF8.self)
        guard finished else {
            throw ChildProcessError("\(command): still running after \(timeout), killed; its stderr ended: \(stderr.suffix(2_000))")
        }
        return Outcome(termination: termination, stdout: String(decoding: collector.stdout, as: UTF8.self), stderr: stderr)
    }

    /// Held from making a child's pipes to starting it: until the pipes are close-on-exec, a child
    /// started by another thread would inherit them (Swift's Glibc has no `pipe2`).
    private static let spawnLock = NSLock()

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does
    /// not import; nil where the C library lacks it.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func spawn(_ executable: URL, _ arguments: [String], _ environment: [String: String],
                              stdin: String, stdout: PipeEnds, stderr: PipeEnds) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout.writing, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr.writing, 2)
        // Nothing else crosses into the child: a descriptor another thread has just opened and not
        // yet marked close-on-exec (HDF5 opens without it) would carry its file lock along.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // A process group of its own, so that a kill reaches whatever the child started too.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let failure = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        guard failure == 0 else {
            throw ChildProcessError("cannot run \(executable.path): \(String(cString: strerror(failure)))")
        }
        return pid
    }

    private static func wait(for pid: pid_t) -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS are macros Swift cannot import.
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }
}

/// A child process could not be started or did not finish in time.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// One line: the command and what went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}

/// Both ends of a pipe, close-on-exec so that no other child inherits them (it would hold the pipe
/// open and the reader would never see its end); the child's own copies, on 1 and 2, stay open.
private struct PipeEnds {
    let reading: Int32
    let writing: Int32

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw ChildProcessError("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        reading = ends[0]
        writing = ends[1]
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    }

    func closeWriting() { close(writing) }

    func closeBoth() {
        close(reading)
        close(writing)
    }
}

/// The child's standard input, in a file: a file never blocks the writer and never raises
/// `SIGPIPE` in this process when the child exits without reading it all.
private struct StandardInputFile {
    let path: String

    init(_ data: Data) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("stdin-\(UUID().uuidString)").path
        try data.write(to: URL(fileURLWithPath: path))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Reads a child's two output pipes together until both end or the deadline passes.
private struct OutputCollector {
    let pid: pid_t
    var descriptors: [pollfd]
    let deadline: ContinuousClock.Instant
    let onStandardErrorLine: ((Substring) -> Bool)?
    private(set) var stdout = Data()
    private(set) var stderr = Data()
    /// How much of `stderr` has been handed to `onStandardErrorLine`, and whether it asked for the kill.
    private var scanned = 0
    private var killed = false

    init(pid: pid_t, stdout: Int32, stderr: Int32, deadline: ContinuousClock.Instant,
         onStandardErrorLine: ((Substring) -> Bool)?) {
        self.pid = pid
        descriptors = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        self.deadline = deadline
        self.onStandardErrorLine = onStandardErrorLine
    }

    /// Returns `false` when the deadline passed first; the pipes are closed either way.
    mutating func collect() -> Bool {
        defer { for descriptor in descriptors where descriptor.fd >= 0 { close(descriptor.fd) } }
        while descriptors.contains(where: { $0.fd >= 0 }) {
            let remaining = deadline - .now
            guard remaining > .zero else { return false }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(min(seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1, 1_000))
            if poll(&descriptors, nfds_t(descriptors.count), milliseconds) < 0 && errno != EINTR { return false }
            for index in descriptors.indices where descriptors[index].revents != 0 { drain(index) }
        }
        return true
    }

    /// Reads what pipe `index` holds now; closes it at its end.
    private mutating func drain(_ index: Int) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = read(descriptors[index].fd, &chunk, chunk.count)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        guard count > 0 else {
            close(descriptors[index].fd)
            descriptors[index].fd = -1
            return
        }
        if index == 0 {
            stdout.append(contentsOf: chunk[..<count])
        } else {
            stderr.append(contentsOf: chunk[..<count])
            watchStandardError()
        }
    }

    private mutating func watchStandardError() {
        guard let onStandardErrorLine, !killed else { return }
        while let newline = stderr[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: stderr[scanned..<newline], as: UTF8.self)
            scanned = newline + 1
            if onStandardErrorLine(line[...]) {
                kill(-pid, SIGKILL)
                killed = true
                return
            }
        }
    }
}
