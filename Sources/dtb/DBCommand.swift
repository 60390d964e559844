import ArgumentParser
import Foundation
import Postgres
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

        struct Report: Codable {
            var mode: String
            var status: String
            var directory: String?
            var home: String
            var schemaVersion: Int?
            var serverVersion: String?
            enum CodingKeys: String, CodingKey {
                case mode, status, directory, home, schemaVersion = "schema_version", serverVersion = "server_version"
            }
        }

        func run() throws {
            try Console.run {
                let home = DataHome.fromEnvironment()
                var report: Report
                if let url = ProcessInfo.processInfo.environment["DTB_DATABASE_URL"], !url.isEmpty {
                    report = Report(mode: "url", status: "running", directory: nil, home: home.root.path)
                } else {
                    let status = try home.cluster.status()
                    report = Report(mode: "embedded", status: status.rawValue, directory: home.cluster.directory.path, home: home.root.path)
                    guard status == .running else { return try emit(report) }
                }
                let database = try Database.open()
                report.schemaVersion = try database.connection.query("SELECT max(version) FROM schema_migration").scalar().int
                report.serverVersion = try database.connection.query("SHOW server_version").scalar().string
                try emit(report)
            }
        }

        private func emit(_ report: Report) throws {
            if output.json { return try Console.printJSON(report) }
            print("database: \(report.mode) (\(report.status))")
            if let directory = report.directory { print("cluster:  \(directory)") }
            print("home:     \(report.home)")
            if let version = report.schemaVersion { print("schema:   migration \(version)") }
            if let server = report.serverVersion { print("server:   PostgreSQL \(server)") }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (if needed), start and migrate the embedded cluster.")
        func run() throws {
            try Console.run {
                let database = try Console.openDatabase()
                if case .embedded(let directory) = database.origin { Console.progress("running: \(directory)") }
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        func run() throws {
            try Console.run { try DataHome.fromEnvironment().cluster.stop() }
        }
    }
}
