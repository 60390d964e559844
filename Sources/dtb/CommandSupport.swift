import ArgumentParser
import Foundation
import Services
import Store

/// Where a command's output goes and what it reads from its surroundings.
///
/// Every command writes through ``current``: the process's standard output and error with its
/// environment for the `dtb` executable, a capture with a test's own environment for a command
/// run in process (a task-local value, so commands run by parallel tests do not mix).
public struct Console: Sendable {
    /// Receives each line of data for standard output (text or JSON), without its newline.
    public var output: @Sendable (String) -> Void
    /// Receives each line for standard error (progress and errors), without its newline.
    public var error: @Sendable (String) -> Void
    /// What the commands read: database, data home, atlas mirror.
    public var environment: ServiceEnvironment

    public init(output: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void,
                environment: ServiceEnvironment) {
        self.output = output; self.error = error; self.environment = environment
    }

    /// This process's standard output, standard error and environment.
    public static let process = Console(output: { Swift.print($0) },
                                        error: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
                                        environment: ServiceEnvironment())

    /// The console the running command writes to.
    @TaskLocal public static var current = Console.process

    /// Runs `body`; any error becomes `dtb: <message>` on standard error and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let message = FailureMessage.line(for: error).replacingOccurrences(of: "\n", with: " ")
            current.error("dtb: \(message)")
            throw ExitCode.failure
        }
    }

    /// A line of data on standard output.
    static func print(_ line: String = "") { current.output(line) }

    /// A progress line on standard error (standard output stays clean for data and JSON).
    static func progress(_ line: String) { current.error(line) }

    /// ``progress(_:)`` bound to the current console, for work that reports from other threads.
    static var progressHandler: @Sendable (String) -> Void {
        let console = current
        return { console.error($0) }
    }

    /// Prints one JSON document in ``JSONStyle`` (snake_case keys, sorted, indented).
    static func printJSON(_ value: some Encodable) throws {
        print(try JSONStyle.document(value))
    }

    /// The command's settings.
    static var environment: ServiceEnvironment { current.environment }

    /// Opens the database the environment names, starting the embedded cluster if needed.
    static func openDatabase() throws -> Database {
        try environment.openDatabase(progress: progress)
    }
}

/// The `--json` flag every data-showing command takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document instead of text.")
    var json = false
}
