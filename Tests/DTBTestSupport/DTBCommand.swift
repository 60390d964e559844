import Foundation
import Store

/// The built `dtb` executable, run against one test database and its data home.
public struct DTBCommand: Sendable {
    /// The child's environment: this process's, plus the database, the data home and the atlas mirror.
    public let environment: [String: String]

    /// A command that works on `database`: its server and its data home go into the environment.
    public init(database: Database) throws {
        environment = try Self.environment(for: database)
    }

    /// This process's environment plus `database`'s server, its data home and the atlas mirror:
    /// what `dtb` needs to work on a test database, as a child or in process.
    public static func environment(for database: Database) throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DTB_DATABASE_URL"] = try TestDatabase.connectionString(for: database)
        environment["DTB_HOME"] = database.home.root.path
        environment["DTB_ATLAS_MIRROR"] = Prerequisites.atlasMirror?.path
        return environment
    }

    /// Runs `dtb arguments` to its end (see ``ChildProcess/run(executable:arguments:environment:stdin:timeout:killOnStandardErrorLine:)``).
    public func run(_ arguments: [String], environment extra: [String: String] = [:], timeout: Duration = .seconds(300),
                    killOnStandardErrorLine: ((Substring) -> Bool)? = nil) throws -> ChildProcess.Outcome {
        guard let executable = Prerequisites.dtbExecutable else { throw ChildProcessError(Prerequisite.dtbExecutable.absence) }
        return try ChildProcess.run(executable: executable, arguments: arguments,
                                    environment: environment.merging(extra) { $1 }, timeout: timeout,
                                    killOnStandardErrorLine: killOnStandardErrorLine)
    }
}
