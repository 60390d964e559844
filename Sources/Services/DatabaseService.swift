import Foundation
import Store

/// Where the database is and whether it runs: `dtb db status`.
public struct DatabaseStatus: Sendable, Codable, Equatable {
    /// Where the connection comes from.
    public enum Mode: String, Sendable, Codable {
        /// The cluster dtb runs itself in the data home.
        case embedded
        /// The server `DTB_DATABASE_URL` names.
        case url
    }

    public var mode: Mode
    /// A `url` server counts as running: dtb does not manage it.
    public var status: EmbeddedCluster.Status
    /// The embedded cluster's directory.
    public var directory: String?
    /// The data home.
    public var home: String
    /// The newest applied migration; absent while the cluster is not running.
    public var schemaVersion: Int?
    public var serverVersion: String?
}

/// The database itself: where it is, starting and stopping the embedded cluster.
public struct DatabaseService {
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) { self.environment = environment }

    /// Where the database is, whether it runs, and (when it does) its schema and server versions.
    public func status() throws -> DatabaseStatus {
        let home = environment.home
        var report: DatabaseStatus
        if environment.databaseURL != nil {
            report = DatabaseStatus(mode: .url, status: .running, directory: nil, home: home.root.path)
        } else {
            let status = try home.cluster.status()
            report = DatabaseStatus(mode: .embedded, status: status, directory: home.cluster.directory.path, home: home.root.path)
            guard status == .running else { return report }
        }
        let database = try Database.open(environment: environment.variables)
        report.schemaVersion = try database.schemaVersion()
        report.serverVersion = try database.serverVersion()
        return report
    }

    /// Creates (if needed), starts and migrates the database; where it runs.
    public func start(progress: (String) -> Void) throws -> Database.Origin {
        try environment.openDatabase(progress: progress).origin
    }

    /// Stops the embedded cluster.
    public func stop() throws {
        try environment.home.cluster.stop()
    }
}
