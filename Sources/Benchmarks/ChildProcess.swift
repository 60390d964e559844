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
        let captured = file == nil ? output.fileHandleForReading.readDataToEndOfFile() : Data()
        let written = errors.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                      output: captured, error: written, wallSeconds: Date().timeIntervalSince(start))
    }

    private static func create(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw BenchmarkError("\(url.path): cannot create the file")
        }
        return try FileHandle(forWritingTo: url)
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
