import Foundation
import Postgres

/// One thing wrong between the database and the file store (`dtb fsck`).
public struct FileStoreProblem: Sendable, Codable, Equatable {
    /// What is wrong.
    public enum Kind: String, Sendable, Codable {
        /// A `data_file` row whose file is absent (a dangling row).
        case missing
        /// A recorded file whose size or SHA-256 differs from its row.
        case checksum
        /// A file under `files/` that no row records.
        case orphan
        /// A staging entry whose writer is gone.
        case staleStaging = "stale_staging"
    }

    public var kind: Kind
    /// The path relative to the data home's `files/` directory.
    public var path: String
    /// Whether `--repair` fixed it.
    public var repaired: Bool
}

/// What a file store check found.
public struct FileStoreReport: Sendable, Codable, Equatable {
    /// `data_file` rows checked.
    public var rows: Int
    /// Files found under `files/` outside the staging area.
    public var files: Int
    public var problems: [FileStoreProblem]
    /// Problems a repair did not fix (all of them without `--repair`).
    public var remaining: Int

    public init(rows: Int, files: Int, problems: [FileStoreProblem]) {
        self.rows = rows; self.files = files; self.problems = problems
        remaining = problems.filter { !$0.repaired }.count
    }
}

/// Compares the `data_file` rows with the files under the data home and, with `repair`, removes
/// what no row needs: orphan files (each under its path's lock, after checking again that no
/// writer committed a row for it meanwhile) and stale staging entries. Missing and damaged
/// files cannot be rebuilt from the database: they stay problems (an identical `dtb twin build`
/// puts a twin version's files back).
public struct FileStoreCheck {
    public let store: FileStore
    public let connection: PostgresConnection

    public init(store: FileStore, connection: PostgresConnection) {
        self.store = store; self.connection = connection
    }

    /// Checks every row and file; with `repair`, fixes what can be fixed.
    public func run(repair: Bool) throws -> FileStoreReport {
        let rows = try connection.query("SELECT relative_path, sha256, size_bytes FROM data_file ORDER BY relative_path")
        var problems: [FileStoreProblem] = []
        var recorded = Set<String>()
        for row in rows {
            let path = row[0].string!
            recorded.insert(path)
            let location = store.url(of: path)
            if !FileManager.default.fileExists(atPath: location.path) {
                problems.append(FileStoreProblem(kind: .missing, path: path, repaired: false))
            } else if !store.intact(location, sha256: row[1].string!, size: Int64(row[2].int!)) {
                problems.append(FileStoreProblem(kind: .checksum, path: path, repaired: false))
            }
        }
        let files = try storedFiles()
        for path in files where !recorded.contains(path) {
            // A writer that committed a row for it since the listing makes it no orphan.
            let state = try store.unreferenced(path, remove: repair, on: connection)
            if state.unreferenced { problems.append(FileStoreProblem(kind: .orphan, path: path, repaired: state.removed)) }
        }
        for entry in StagingLock.staleEntries(in: store.staging, remove: repair) {
            let path = ".staging/" + entry.lastPathComponent
            problems.append(FileStoreProblem(kind: .staleStaging, path: path,
                                             repaired: repair && !FileManager.default.fileExists(atPath: entry.path)))
        }
        return FileStoreReport(rows: rows.count, files: files.count, problems: problems)
    }

    /// Every regular file under `files/` outside the store's own `.staging` and `.writers`,
    /// relative to `files/`, sorted.
    func storedFiles() throws -> [String] {
        let root = store.home.files.standardizedFileURL.resolvingSymlinksInPath()
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var paths: [String] = []
        for case let url as URL in walker {
            let relative = String(url.standardizedFileURL.resolvingSymlinksInPath().path.dropFirst(root.path.count + 1))
            if relative == ".staging" || relative == ".writers" { walker.skipDescendants(); continue }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { paths.append(relative) }
        }
        return paths.sorted()
    }
}
