import Foundation
import Store

/// What a failed or refused command must leave as it was: every table's row count and every
/// file under the data home's `files/` with its checksum (the staging area and writers' locks aside).
public struct StoreSnapshot: Equatable, CustomStringConvertible {
    /// Row counts by table.
    public var tables: [String: Int]
    /// SHA-256 by path relative to `files/`.
    public var files: [String: String]

    /// The state of `database` and its data home now.
    public static func take(_ database: Database) throws -> StoreSnapshot {
        let root = database.home.files.resolvingSymlinksInPath()
        var files: [String: String] = [:]
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker {
                let relative = String(url.resolvingSymlinksInPath().path.dropFirst(root.path.count + 1))
                if relative == ".staging" || relative == ".writers" { walker.skipDescendants(); continue }
                if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                    files[relative] = try SHA256.hex(ofFile: url.path)
                }
            }
        }
        return StoreSnapshot(tables: try tableCounts(database.connection), files: files)
    }

    public var description: String { "\(tables.values.reduce(0, +)) rows in \(tables.count) tables, \(files.count) files" }
}
