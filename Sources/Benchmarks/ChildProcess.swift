import Foundation

/// A program run to completion with its standard output and standard error read at the same
/// time, so that a child filling one pipe while the parent waits on the other cannot deadlock.
public struct ChildProcess {
    public var executable: URL
    public var arguments: [String]
    /// The child's environment; nil: this process's.
    public var environment: [String: String]?
    /// A file that receives the child's standard output instead of the captured ``Result/output``.
    public var outputFile: URL?
    /// Called with each line the child writes to standard error, as it writes it.
    public var errorLines: (@Sendable (String) -> Void)?

    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, outputFile: URL? = nil,
                errorLines: (@Sendable (String) -> Void)? = nil) {
        self.executable = executable; self.arguments = arguments; self.environment = environment
        self.outputFile = outputFile; self.errorLines = errorLines
    }

    /// What a finished child left.
    public struct Result: Sendable {
        /// Exit status, or the signal number when ``signalled``.
        public var status: Int32
        public var signalled: Bool
        public var output: Data
        public var error: Data
        /// From start to exit.
        public var wallSeconds: Double
        /// The child's own peak resident set (MB, `VmHWM` of its program's memory), read while it
        /// ran; nil when it exited before a reading. Not `RUSAGE_CHILDREN`: a child started by
        /// posix_spawn shares this process's memory until its exec, so the kernel counts this
        /// process's peak as the child's too, and a child smaller than its parent reads as large.
        public var peakResidentMegabytes: Double?

        /// The last line the child wrote to standard error ("" when none): its error, for a dtb child.
        public var lastErrorLine: String {
            String(decoding: error, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        }
    }

    /// Starts the child, reads both streams until it closes them, and waits for it to exit.
    public func run() throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), error = Pipe()
        let file = try outputFile.map(Self.create)
        defer { try? file?.close() }
        process.standardOutput = file ?? output
        process.standardError = error
        let errors = StreamReader(error.fileHandleForReading, lines: errorLines)
        let start = Date()
        do { try process.run() } catch {
            throw BenchmarkError("cannot run \(executable.path): \(error.localizedDescription)")
        }
        let peak = HighWaterMark(process.processIdentifier)
        let captured = file == nil ? output.fileHandleForReading.readDataToEndOfFile() : Data()
        let written = errors.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                      output: captured, error: written, wallSeconds: Date().timeIntervalSince(start),
                      peakResidentMegabytes: peak.stop())
    }

    private static func create(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw BenchmarkError("\(url.path): cannot create the file")
        }
        return try FileHandle(forWritingTo: url)
    }
}

/// Follows a running child's `VmHWM` (its peak resident set, which only grows) every 10 ms on a
/// thread of its own. The last reading before exit is the peak, less what the child grew in its
/// final 10 ms; being the last, it is one of the program's own memory even if the first came
/// before the child's exec, when it still showed the parent's.
private final class HighWaterMark: @unchecked Sendable {
    private let lock = NSLock()
    private var kilobytes: Int?
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(_ pid: Int32) {
        let status = "/proc/\(pid)/status"
        Thread.detachNewThread { [self] in
            while !lock.withLock({ stopped }) {
                if let reading = Self.reading(status) { lock.withLock { kilobytes = reading } }
                usleep(10_000)
            }
            done.signal()
        }
    }

    /// The `VmHWM:` line of a status file, in kB.
    private static func reading(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// Ends the readings; the last one in MB.
    func stop() -> Double? {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { kilobytes.map { Double($0) / 1024 } }
    }
}

/// Reads a pipe to its end on a thread of its own, handing out complete lines as they arrive.
private final class StreamReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle, lines: (@Sendable (String) -> Void)?) {
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                guard let lines else { continue }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if let lines, !pending.isEmpty { lines(String(decoding: pending, as: UTF8.self)) }
            done.signal()
        }
    }

    /// Everything read, once the writer has closed the pipe.
    func wait() -> Data {
        done.wait()
        return data
    }
}
