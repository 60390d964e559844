import ArgumentParser
import Foundation
import Services
import Store

/// `dtb db status|start|stop`: the embedded PostgreSQL cluster (or the server DTB_DATABASE_URL names).
struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Manage the database.",
        subcommands: [Status.self, Start.self, Stop.self])

    /// JSON: `{"mode": "embedded"|"url", "status": "running"|"stopped"|"not-initialised", "directory"?,
    /// "home", "schema_version"?, "server_version"?}`.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show where the database is and whether it runs.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Console.run {
                let report = try DatabaseService(environment: Console.environment).status()
                if output.json { return try Console.printJSON(report) }
                Console.print("database: \(report.mode.rawValue) (\(report.status.rawValue))")
                if let directory = report.directory { Console.print("cluster:  \(directory)") }
                Console.print("home:     \(report.home)")
                if let version = report.schemaVersion { Console.print("schema:   migration \(version)") }
                if let server = report.serverVersion { Console.print("server:   PostgreSQL \(server)") }
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (if needed), start and migrate the embedded cluster.")
        func run() throws {
            try Console.run {
                let origin = try DatabaseService(environment: Console.environment).start(progress: Console.progress)
                if case .embedded(let directory) = origin { Console.progress("running: \(directory)") }
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        func run() throws {
            try Console.run { try DatabaseService(environment: Console.environment).stop() }
        }
    }
}
