import Foundation
import Postgres

/// A file written under the data home and not yet recorded in the database.
public struct StagedFile: Sendable {
    /// The temporary file the caller wrote.
    public let temporary: URL
    /// Where it will live, relative to the data home's `files/` directory (content addressed).
    public let relativePath: String
    public let sha256: String
    public let size: Int64
    public let format: String
}

/// A file the database points to, with its checksum.
public struct StoredFile: Sendable, Equatable, Codable {
    public let id: Int
    public let relativePath: String
    public let sha256: String
    public let size: Int64

    public init(id: Int, relativePath: String, sha256: String, size: Int64) {
        self.id = id
        self.relativePath = relativePath
        self.sha256 = sha256
        self.size = size
    }
}

/// Keeps large arrays (HDF5) beside the database so that the database never points to a file
/// that is missing or changed.
///
/// Protocol: ``stage(kind:extension:format:write:)`` writes and checksums a file outside any
/// transaction; ``register(_:on:)`` moves it to its content-addressed place and records it inside
/// the caller's transaction; if that transaction fails, ``discard(_:on:)`` removes whatever no
/// committed row refers to. A crash between the steps can leave an unreferenced file, never a
/// dangling row.
///
/// Concurrency: register, discard and ``FileStoreCheck``'s repairs of one path serialise on a
/// transaction-scoped advisory lock named after the path, which register holds until its
/// transaction ends; so a failing writer cannot delete a file that another writer with the same
/// content is about to commit. Staged files carry their writer's pid and each writer holds a lock
/// on `.writers/<pid>.lock` while it lives, so what dead writers left is recognised and removed.
public struct FileStore: Sendable {
    public let home: DataHome

    public init(home: DataHome) { self.home = home }

    /// Where files wait between ``stage(kind:extension:format:write:)`` and ``register(_:on:)``.
    public var staging: URL { home.files.appendingPathComponent(".staging", isDirectory: true) }

    /// A new path in the staging area, `<pid>-<uuid><suffix>`, whose owner this process is.
    public func newStagingPath(suffix: String = "") throws -> URL {
        try StagingLock.hold(in: staging)
        return staging.appendingPathComponent("\(getpid())-\(UUID().uuidString)\(suffix)")
    }

    /// Lets `write` create a file at a temporary path, then checksums it.
    public func stage(kind: String, extension fileExtension: String, format: String = "hdf5",
                      write: (URL) throws -> Void) throws -> StagedFile {
        let temporary = try newStagingPath(suffix: ".\(fileExtension)")
        do {
            try write(temporary)
            let sha = try SHA256.hex(ofFile: temporary.path)
            let size = try FileManager.default.attributesOfItem(atPath: temporary.path)[.size] as? Int64 ?? 0
            let relative = "\(kind)/\(sha.prefix(2))/\(sha).\(fileExtension)"
            return StagedFile(temporary: temporary, relativePath: relative, sha256: sha, size: size, format: format)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Moves a staged file into place and records it; call inside the transaction that uses it.
    /// A file already in place is adopted only when its checksum is right; a damaged one is
    /// replaced by the staged copy (which repairs every version that shares it).
    public func register(_ staged: StagedFile, on connection: PostgresConnection) throws -> StoredFile {
        try connection.advisoryTransactionLock(named: Self.lockName(staged.relativePath))
        let destination = url(of: staged.relativePath)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if intact(destination, sha256: staged.sha256, size: staged.size) {
            try FileManager.default.removeItem(at: staged.temporary)   // same content is already there
        } else if rename(staged.temporary.path, destination.path) != 0 {
            throw StoreError.file("cannot move \(staged.temporary.path) to \(destination.path): \(String(cString: strerror(errno)))")
        }
        let row = try connection.query("""
            INSERT INTO data_file (relative_path, sha256, size_bytes, format) VALUES ($1, $2, $3, $4)
            ON CONFLICT (relative_path) DO UPDATE SET relative_path = EXCLUDED.relative_path
            RETURNING id
            """, [staged.relativePath, staged.sha256, staged.size, staged.format])
        return StoredFile(id: try row.scalar().int!, relativePath: staged.relativePath, sha256: staged.sha256, size: staged.size)
    }

    /// Whether the file at `url` exists with this size and checksum.
    func intact(_ url: URL, sha256: String, size: Int64) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              attributes[.size] as? Int64 == size else { return false }
        return (try? SHA256.hex(ofFile: url.path)) == sha256
    }

    /// Removes a staged file after a failed transaction, unless a committed row refers to it.
    /// Waits for any transaction registering the same path to end first.
    public func discard(_ staged: StagedFile, on connection: PostgresConnection) {
        try? FileManager.default.removeItem(at: staged.temporary)
        _ = try? unreferenced(staged.relativePath, remove: true, on: connection)
    }

    /// Whether no row refers to `relativePath`, asked under the path's lock (so after any writer
    /// of it has committed or rolled back); with `remove`, such a file is removed.
    @discardableResult
    func unreferenced(_ relativePath: String, remove: Bool, on connection: PostgresConnection) throws -> (unreferenced: Bool, removed: Bool) {
        try connection.transaction { connection in
            try connection.advisoryTransactionLock(named: Self.lockName(relativePath))
            guard try connection.query("SELECT 1 FROM data_file WHERE relative_path = $1", [relativePath]).count == 0 else {
                return (false, false)
            }
            return (true, remove && (try? FileManager.default.removeItem(at: url(of: relativePath))) != nil)
        }
    }

    /// The advisory lock that serialises writers of one content-addressed path.
    static func lockName(_ relativePath: String) -> String { "data_file:\(relativePath)" }

    /// Absolute location of a recorded file.
    public func url(of relativePath: String) -> URL { home.files.appendingPathComponent(relativePath) }

    /// Checks that a recorded file exists and still has its checksum.
    public func verify(_ file: StoredFile) throws -> URL {
        let location = url(of: file.relativePath)
        guard FileManager.default.fileExists(atPath: location.path) else {
            throw StoreError.file("\(location.path): file recorded in the database is missing")
        }
        let actual = try SHA256.hex(ofFile: location.path)
        guard actual == file.sha256 else {
            throw StoreError.file("\(location.path): checksum mismatch (database \(file.sha256.prefix(12))…, file \(actual.prefix(12))…)")
        }
        return location
    }
}
