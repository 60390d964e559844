import Foundation

/// The directory that holds everything `dtb` keeps outside the database: the embedded cluster,
/// the HDF5 files the database points to, and the atlas download cache.
///
/// `DTB_HOME` wins; otherwise `$XDG_DATA_HOME/dtb` or `~/.local/share/dtb`. Root's home is not
/// reachable by the `postgres` user that runs root's cluster, so root defaults to `/var/lib/dtb`.
/// Any path works (spaces, quotes, long ones): the server's socket lives in a short directory
/// under `/tmp` (see ``EmbeddedCluster``), and nothing writes the path into a configuration.
public struct DataHome: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The data home named by the environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> DataHome {
        if let explicit = environment["DTB_HOME"], !explicit.isEmpty {
            return DataHome(root: URL(fileURLWithPath: explicit, isDirectory: true))
        }
        if getuid() == 0 { return DataHome(root: URL(fileURLWithPath: "/var/lib/dtb", isDirectory: true)) }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return DataHome(root: URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("dtb"))
        }
        let home = FileManager.default.homeDirectoryForCurrentUser
        return DataHome(root: home.appendingPathComponent(".local/share/dtb", isDirectory: true))
    }

    /// Where files referenced from the database live; paths in `data_file` are relative to it.
    public var files: URL { root.appendingPathComponent("files", isDirectory: true) }
    /// Where atlas files downloaded from manifest URLs are cached.
    public var atlasCache: URL { root.appendingPathComponent("atlas-cache", isDirectory: true) }
    public var cluster: EmbeddedCluster { EmbeddedCluster(home: root) }

    /// Creates the home directory, traversable by other users so a root-run cluster can live in it.
    public func create() throws {
        // PostgreSQL's MAXPGPATH (1024 bytes) bounds the cluster's paths inside the home.
        guard root.path.utf8.count <= Self.longestPath else {
            throw StoreError.server("DTB_HOME is \(root.path.utf8.count) bytes long; PostgreSQL needs a data home path of at most \(Self.longestPath) bytes")
        }
        try ServerTools.createDirectory(root, what: "the data home")
        try ServerTools.createDirectory(files, what: "the file store")
    }

    /// The longest home path whose cluster files PostgreSQL can still name.
    public static let longestPath = 900
}
