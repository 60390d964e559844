import Foundation

/// A bad input: one line, `<file>: <problem>`, fit to show a user as is.
public struct IngestError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
    static func file(_ path: String, _ problem: String) -> IngestError { IngestError("\(path): \(problem)") }
}

/// A BIDS file name split into its parts: `sub-01_ses-a_task-rest_run-1_bold.nii.gz` →
/// entities `[sub: 01, ses: a, task: rest, run: 1]`, suffix `bold`, extension `.nii.gz`.
public struct BIDSName: Sendable, Equatable {
    /// Key-value entities in file order.
    public let entities: [(key: String, value: String)]
    public let suffix: String
    /// With the leading dot; `.nii.gz` counts as one extension.
    public let fileExtension: String

    public static func == (a: BIDSName, b: BIDSName) -> Bool {
        a.suffix == b.suffix && a.fileExtension == b.fileExtension
            && a.entities.map(\.key) == b.entities.map(\.key) && a.entities.map(\.value) == b.entities.map(\.value)
    }

    /// Parses a file name; nil when it is not `sub-<label>(_<key>-<value>)*_<suffix><ext>`.
    public init?(_ fileName: String) {
        var stem = fileName
        var ext = ""
        for candidate in [".nii.gz", ".tsv.gz", ".nii", ".json", ".tsv", ".bval", ".bvec", ".csv"] where stem.hasSuffix(candidate) {
            ext = candidate
            stem = String(stem.dropLast(candidate.count))
            break
        }
        guard !ext.isEmpty else { return nil }
        let parts = stem.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, let suffix = parts.last, suffix.range(of: "^[A-Za-z0-9]+$", options: .regularExpression) != nil else { return nil }
        var entities: [(String, String)] = []
        for part in parts.dropLast() {
            let kv = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, kv[0].range(of: "^[a-z]+$", options: .regularExpression) != nil,
                  kv[1].range(of: "^[A-Za-z0-9+.]+$", options: .regularExpression) != nil else { return nil }
            entities.append((kv[0], kv[1]))
        }
        guard entities.first?.0 == "sub" else { return nil }
        self.entities = entities
        self.suffix = suffix
        self.fileExtension = ext
    }

    public subscript(key: String) -> String? { entities.first { $0.key == key }?.value }

    public var entityDictionary: [String: String] {
        Dictionary(entities.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}

/// JSON sidecar handling: BIDS inheritance, nearest level wins.
enum Sidecars {
    /// Merges every applicable `.json` from `root` down to the data file's folder: a sidecar
    /// applies when its suffix equals the data file's and its entities are a subset of the file's;
    /// deeper folders (and, within a folder, more specific names) override shallower ones.
    static func merged(for file: URL, name: BIDSName, root: URL) throws -> [String: Any] {
        var folders: [URL] = []
        var folder = file.deletingLastPathComponent().standardizedFileURL
        let rootPath = root.standardizedFileURL.path
        while true {
            folders.insert(folder, at: 0)
            if folder.path == rootPath || folder.path == "/" || !folder.path.hasPrefix(rootPath) { break }
            folder = folder.deletingLastPathComponent()
        }
        let own = name.entityDictionary
        var merged: [String: Any] = [:]
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            var applicable: [(Int, String)] = []
            for candidate in names where candidate.hasSuffix(".json") && candidate != "dataset_description.json" {
                // Top-level sidecars may omit sub (e.g. task-rest_bold.json).
                let withoutSubject = !candidate.hasPrefix("sub-")
                guard let sidecar = BIDSName(withoutSubject ? "sub-x_" + candidate : candidate),
                      sidecar.suffix == name.suffix else { continue }
                let keys = withoutSubject ? sidecar.entities.filter { $0.key != "sub" } : sidecar.entities
                guard keys.allSatisfy({ own[$0.key] == $0.value }) else { continue }
                applicable.append((keys.count, candidate))
            }
            for (_, candidate) in applicable.sorted(by: { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }) {
                let path = folder.appendingPathComponent(candidate)
                let object = try readJSONObject(path)
                for (key, value) in object { merged[key] = value }
            }
        }
        return merged
    }

    static func readJSONObject(_ url: URL) throws -> [String: Any] {
        try parseJSONObject(try readData(url), path: url.path)
    }

    /// A sidecar's text as a JSON object whose strings can all be stored.
    static func parseJSONObject(_ data: Data, path: String) throws -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw IngestError.file(path, "not a JSON object")
        }
        try Companions.checkStorable(object, path: path)
        return object
    }
}

func readReason(_ url: URL) -> String {
    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path),
       !FileManager.default.fileExists(atPath: url.path) { return "broken symbolic link to \(target)" }
    if !FileManager.default.fileExists(atPath: url.path) { return "no such file" }
    if !FileManager.default.isReadableFile(atPath: url.path) { return "permission denied" }
    return "unreadable"
}

/// Reads a tab-separated file: header row plus rows. Empty lines are skipped.
func readTSV(_ url: URL) throws -> (header: [String], rows: [[String]]) {
    try parseTSV(try readText(url), path: url.path)
}

/// The bytes of a companion file (sidecar, table, gradients), refused — not waited on — when it
/// is not a regular file: reading a FIFO blocks until some writer comes.
func readData(_ url: URL) throws -> Data {
    let target = url.resolvingSymlinksInPath().path
    if let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType,
       type != .typeRegular {
        throw IngestError.file(url.path, type == .typeDirectory ? "is a directory, not a file" : "is not a regular file (a FIFO, socket or device)")
    }
    do { return try Data(contentsOf: url) } catch {
        throw IngestError.file(url.path, "cannot read: \(readReason(url))")
    }
}

/// The UTF-8 text of a companion file (see ``readData(_:)``).
func readText(_ url: URL) throws -> String {
    let data = try readData(url)
    guard let text = String(data: data, encoding: .utf8) else { throw IngestError.file(url.path, "is not UTF-8 text") }
    return text
}

/// `text` as a tab-separated table: header row plus rows, empty lines skipped; a NUL character
/// (which no text column can store) is refused with its line.
func parseTSV(_ text: String, path: String) throws -> (header: [String], rows: [[String]]) {
    var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
    lines.removeAll { $0.trimmingCharacters(in: .whitespaces).isEmpty }
    guard let first = lines.first else { throw IngestError.file(path, "empty file") }
    if let index = lines.firstIndex(where: { $0.contains("\u{0}") }) {
        throw IngestError.file(path, "line \(index + 1) holds a NUL character, which cannot be stored")
    }
    let header = first.components(separatedBy: "\t")
    let rows = lines.dropFirst().map { $0.components(separatedBy: "\t") }
    for (index, row) in rows.enumerated() where row.count != header.count {
        throw IngestError.file(path, "line \(index + 2) has \(row.count) columns, the header has \(header.count)")
    }
    return (header, rows)
}

/// JSON text of a `[String: Any]` (sorted keys) for a `jsonb` column.
func jsonText(_ object: Any) -> String {
    guard JSONSerialization.isValidJSONObject(object),
          let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}
