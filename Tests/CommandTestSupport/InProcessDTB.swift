import DTBCommands
import DTBTestSupport
import Foundation
import Services
import Store

/// Runs `dtb <arguments>` inside the test process against a test database — the executable's
/// commands, with standard output and error captured and the environment given here — so a test
/// needs neither the built executable nor a child process. (Tests of crashes and signals run the
/// executable as a child instead: `DTBCommand`.)
public struct InProcessDTB: Sendable {
    /// What one command left.
    public struct Result: Sendable {
        public var status: Int32
        /// Standard output, each line ended by a newline, as the executable writes it.
        public var stdout: String
        public var stderr: String
    }

    /// The environment the commands see.
    public let environment: [String: String]

    /// Commands against `database` and its data home, with the shared atlas mirror when there is one.
    public init(database: Database) throws {
        environment = try DTBCommand.environment(for: database)
    }

    /// Runs one command to its end.
    public func run(_ arguments: [String]) -> Result {
        let output = Capture(), errors = Capture()
        let console = Console(output: { output.append($0) }, error: { errors.append($0) },
                              environment: ServiceEnvironment(environment))
        let status = Console.$current.withValue(console) { DTBCommandLine.run(arguments) }
        return Result(status: status, stdout: output.text, stderr: errors.text)
    }
}

/// Lines written by a command, from whichever thread writes them.
private final class Capture: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var text: String { lock.withLock { lines.map { $0 + "\n" }.joined() } }
}
