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
/// Protocol: ``stage(kind:extension:write:)`` writes and checksums a file outside any transaction;
/// ``register(_:on:)`` moves it to its content-addressed place and records it inside the caller's
/// transaction; if that transaction fails, ``discard(_:on:)`` removes whatever no committed row
/// refers to. A crash between the steps can leave an unreferenced file, never a dangling row.
public struct FileStore: Sendable {
    public let home: DataHome

    public init(home: DataHome) { self.home = home }

    /// Lets `write` create a file at a temporary path, then checksums it.
    public func stage(kind: String, extension fileExtension: String, format: String = "hdf5",
                      write: (URL) throws -> Void) throws -> StagedFile {
        let staging = home.files.appendingPathComponent(".staging", isDirectory: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let temporary = staging.appendingPathComponent("\(UUID().uuidString).\(fileExtension)")
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
    public func register(_ staged: StagedFile, on connection: PostgresConnection) throws -> StoredFile {
        let destination = url(of: staged.relativePath)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: destination.path) {
            try FileManager.default.removeItem(at: staged.temporary)   // same content is already there
        } else {
            try FileManager.default.moveItem(at: staged.temporary, to: destination)
        }
        let row = try connection.query("""
            INSERT INTO data_file (relative_path, sha256, size_bytes, format) VALUES ($1, $2, $3, $4)
            ON CONFLICT (relative_path) DO UPDATE SET relative_path = EXCLUDED.relative_path
            RETURNING id
            """, [staged.relativePath, staged.sha256, staged.size, staged.format])
        return StoredFile(id: try row.scalar().int!, relativePath: staged.relativePath, sha256: staged.sha256, size: staged.size)
    }

    /// Removes a staged file after a failed transaction, unless a committed row refers to it.
    public func discard(_ staged: StagedFile, on connection: PostgresConnection) {
        try? FileManager.default.removeItem(at: staged.temporary)
        let referenced = (try? connection.query("SELECT 1 FROM data_file WHERE relative_path = $1", [staged.relativePath]).count) ?? 1
        if referenced == 0 { try? FileManager.default.removeItem(at: url(of: staged.relativePath)) }
    }

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
