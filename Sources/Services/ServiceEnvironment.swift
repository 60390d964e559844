import AtlasCatalog
import Foundation
import Store

/// The settings a workflow reads from its surroundings: `DTB_DATABASE_URL`, `DTB_HOME` (and
/// `XDG_DATA_HOME`), `DTB_ATLAS_MIRROR`.
///
/// The command line passes the process environment; an in-process test, a worker or a server
/// passes its own, so that one process can serve several databases without touching its
/// environment.
public struct ServiceEnvironment: Sendable {
    /// The variables, by name.
    public var variables: [String: String]

    public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) { self.variables = variables }

    /// `DTB_DATABASE_URL` when it is set and not empty: an existing server instead of the embedded cluster.
    public var databaseURL: String? { variables["DTB_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The data home: files, the embedded cluster, the atlas cache.
    public var home: DataHome { DataHome.fromEnvironment(variables) }

    /// `DTB_ATLAS_MIRROR`: where `atlas import` looks for atlas files before downloading them.
    public var atlasMirror: URL? {
        variables["DTB_ATLAS_MIRROR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// The mirror the demo and the benchmarks use when none is named: `DTB_ATLAS_MIRROR`, else
    /// `../shared/atlas-data` beside the checkout, else none (download).
    public var defaultAtlasMirror: URL? { AtlasFileSource.defaultMirror(environment: variables) }

    /// Opens (creating and migrating if needed) the database these settings name, saying so on
    /// `progress` when the embedded cluster has to be started first.
    public func openDatabase(progress: (String) -> Void) throws -> Database {
        if databaseURL == nil {
            let cluster = home.cluster
            if (try? cluster.status()) != .running { progress("starting the embedded PostgreSQL cluster in \(cluster.directory.path)") }
        }
        return try Database.open(environment: variables, progress: progress)
    }
}
