import Foundation
import Postgres
import Store

/// What a refused command must leave exactly as it found it: every table's rows (a count and an
/// MD5 digest of the rows as text, so an update shows as well as an insert) and every file under
/// the file store, staging included (live writers' lock files in `.writers/` aside), with its size. The one invariant check of the bad-input
/// tests: take one before, one after, and compare.
public struct StoreSnapshot: Equatable, CustomStringConvertible, Sendable {
    /// Per table: `<row count> <md5 of the sorted rows>`.
    public var tables: [String: String]
    /// Per file, its path under the file store and its size in bytes.
    public var files: [String: Int]

    /// Reads `database`'s tables and its data home's file store now.
    public init(_ database: Database) throws {
        tables = try Self.tables(database.connection)
        files = Self.files(under: database.home.files)
    }

    private static func tables(_ connection: PostgresConnection) throws -> [String: String] {
        let names = try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").map { $0[0].string! }
        var tables: [String: String] = [:]
        for name in names {
            let table = connection.quoteIdentifier(name)
            // Rows sorted by their text, so the digest depends on the content, not the physical order.
            let row = try connection.query("""
                SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM \(table) r
                """)[0]
            tables[name] = "\(row[0].int!) \(row[1].string!)"
        }
        return tables
    }

    private static func files(under root: URL) -> [String: Int] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return [:] }
        var files: [String: Int] = [:]
        let prefix = root.standardizedFileURL.path + "/"
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            if path.hasPrefix(".writers/") { continue }
            files[path] = values.fileSize ?? 0
        }
        return files
    }

    /// The tables and files that differ between `self` (before) and `after`, one per line; empty when none.
    public func differences(to after: StoreSnapshot) -> String {
        var lines: [String] = []
        for name in Set(tables.keys).union(after.tables.keys).sorted() where tables[name] != after.tables[name] {
            lines.append("table \(name): \(tables[name] ?? "absent") → \(after.tables[name] ?? "absent")")
        }
        for path in Set(files.keys).union(after.files.keys).sorted() where files[path] != after.files[path] {
            lines.append("file \(path): \(files[path].map { "\($0) B" } ?? "absent") → \(after.files[path].map { "\($0) B" } ?? "absent")")
        }
        return lines.joined(separator: "\n")
    }

    public var description: String { "\(tables.count) tables, \(files.count) files" }
}
