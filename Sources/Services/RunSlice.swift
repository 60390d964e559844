import Foundation
import HDF5Kit
import Store

/// Which part of a twin run to read: some units, a time window.
public struct RunSliceRequest: Sendable, Equatable {
    /// `twin_run.id`.
    public var run: Int
    /// Unit names in the order wanted; nil: every unit, in the twin's order.
    public var units: [String]?
    /// Seconds from the run's start: frames sampled in [from, to] (both ends included); nil: no bound.
    public var from: Double?
    public var to: Double?

    public init(run: Int, units: [String]? = nil, from: Double? = nil, to: Double? = nil) {
        self.run = run; self.units = units; self.from = from; self.to = to
    }
}

/// Part of a stored twin run as arrays: BOLD frames × the chosen units, and those units' mean rates.
///
/// JSON: `{"run", "twin", "version", "repetition_time", "frames", "units", "times", "bold", "unit_rate_hz", "sha256"}`;
/// `frames` is the run's whole length, `times[k]` the second at which `bold[k]` was sampled (the
/// end of its TR), `sha256` the run file's checksum (the run never changes: it is the ETag's root).
public struct RunSlice: Sendable, Codable, Equatable {
    public var run: Int
    public var twin: String
    public var version: Int
    public var repetitionTime: Double
    public var frames: Int
    public var units: [String]
    public var times: [Double]
    public var bold: [[Double]]
    public var unitRateHz: [Double]
    public var sha256: String
}

/// Decoded twin-run files kept by the process, least recently used dropped past a byte budget.
///
/// A run's file never changes (its SHA-256 is in its row), so it is verified and decoded once per
/// process and later slices are cut from memory: re-reading and re-hashing the whole file per
/// request was what bounded `dtb serve`'s run-slice throughput (docs/http-api.md).
final class RunFileCache: @unchecked Sendable {
    /// A run file's contents: unit names, BOLD frames × units (row-major) and unit rates.
    struct Run: Sendable {
        var names: [String]
        var bold: [Double]
        var rates: [Double]
        var bytes: Int { bold.count * 8 + rates.count * 8 + names.reduce(0) { $0 + $1.utf8.count + 16 } }
    }

    /// The server's cache: 256 MiB holds a thousand 10-minute runs of 246 units.
    static let shared = RunFileCache(budgetBytes: 256 << 20)

    private let lock = NSLock()
    private let budget: Int
    private var runs: [String: (run: Run, used: UInt64)] = [:]
    private var clock: UInt64 = 0, held = 0

    init(budgetBytes: Int) { budget = budgetBytes }

    /// The run stored under `key` (the file's path and checksum), loaded with `load` on a miss.
    /// Two requests missing at once may both load it; the contents are the same.
    func run(_ key: String, load: () throws -> Run) throws -> Run {
        if let hit = lock.withLock({ () -> Run? in
            clock += 1
            runs[key]?.used = clock
            return runs[key]?.run
        }) { return hit }
        let loaded = try load()
        lock.withLock {
            clock += 1
            if let old = runs.updateValue((loaded, clock), forKey: key) { held -= old.run.bytes }
            held += loaded.bytes
            while held > budget, runs.count > 1, let oldest = runs.min(by: { $0.value.used < $1.value.used }), oldest.key != key {
                held -= oldest.value.run.bytes
                runs[oldest.key] = nil
            }
        }
        return loaded
    }
}

/// Reads slices of twin runs from their HDF5 files, checksums checked (once per process: ``RunFileCache``).
public struct RunSliceReader {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// The slice `request` names; a one-line error for an unknown run or unit, or an empty window.
    public func slice(_ request: RunSliceRequest) throws -> RunSlice {
        guard let row = try database.connection.query("""
            SELECT r.repetition_time, d.id, d.relative_path, d.sha256, d.size_bytes, t.name, v.version
              FROM twin_run r JOIN data_file d ON d.id = r.file_id JOIN twin_version v ON v.id = r.twin_version_id
              JOIN twin t ON t.id = v.twin_id WHERE r.id = $1
            """, [request.run]).first, let tr = row[0].double, let fileID = row[1].int, let path = row[2].string,
            let sha = row[3].string, let size = row[4].int, let twin = row[5].string, let version = row[6].int else {
            throw StoreError.notFound("twin run \(request.run) does not exist")
        }
        let stored = StoredFile(id: fileID, relativePath: path, sha256: sha, size: Int64(size))
        let decoded = try RunFileCache.shared.run("\(database.files.url(of: path).path) \(sha)") { try Self.load(stored, from: database.files) }
        let names = decoded.names, flat = decoded.bold, rates = decoded.rates
        let columns = try Self.columns(request.units, of: names, run: request.run)
        let frames = flat.count / names.count
        let window = try Self.frames(frames, tr: tr, from: request.from, to: request.to)
        return RunSlice(run: request.run, twin: twin, version: version, repetitionTime: tr, frames: frames, units: columns.map { names[$0] },
                        times: window.map { Double($0 + 1) * tr },
                        bold: window.map { k in columns.map { flat[k * names.count + $0] } },
                        unitRateHz: columns.map { rates[$0] }, sha256: sha)
    }

    /// A run file's contents, after its checksum is verified.
    static func load(_ stored: StoredFile, from files: FileStore) throws -> RunFileCache.Run {
        let url = try files.verify(stored)
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        let run = RunFileCache.Run(names: try file.readStrings("/units"), bold: try file.dataset("/bold").read(Double.self),
                                   rates: try file.dataset("/unit_rate_hz").read(Double.self))
        guard !run.names.isEmpty, run.bold.count % run.names.count == 0, run.rates.count == run.names.count else {
            throw StoreError.file("\(url.path): /bold and /unit_rate_hz do not hold one column per unit")
        }
        return run
    }

    /// Column indices of `wanted` in `names`; all columns when nil.
    static func columns(_ wanted: [String]?, of names: [String], run: Int) throws -> [Int] {
        guard let wanted else { return Array(names.indices) }
        let index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return try wanted.map { name in
            guard let column = index[name] else { throw ServiceError.invalidOption("units", value: name, problem: "is not a unit of twin run \(run)") }
            return column
        }
    }

    /// The frames sampled in [from, to]: frame k is sampled at (k + 1)·TR.
    static func frames(_ count: Int, tr: Double, from: Double?, to: Double?) throws -> [Int] {
        for (name, value) in [("from", from), ("to", to)] {
            if let value, !(value.isFinite && value >= 0) { throw ServiceError.invalidOption(name, value: "\(value)", problem: "must be a finite number of seconds ≥ 0") }
        }
        if let from, let to, from > to { throw ServiceError.invalidOption("from", value: "\(from)", problem: "is after to (\(to))") }
        return (0..<count).filter { k in
            let t = Double(k + 1) * tr
            return t >= (from ?? 0) && t <= (to ?? .infinity)
        }
    }
}
