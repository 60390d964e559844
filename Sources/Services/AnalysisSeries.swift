import Foundation
import HDF5Kit
import Ingest
import Store

/// A stored region time series ready for the analyses: frames × regions, the regions' names and
/// the sampling rate.
public struct AnalysisSeries: Sendable {
    /// "twin run 3 (sample-brainnetome246@2)" or "measure 5 (sub-sample ses-1 …)", for titles.
    public var title: String
    /// Region names, one per column.
    public var regions: [String]
    /// Samples per second (1 / TR).
    public var samplingRate: Double
    /// Frames × regions.
    public var frames: [[Double]]
    /// Spikes per region in bins (bin-major, one column per region) and the bin (ms), when the run recorded them.
    public var activity: (counts: [UInt32], binMs: Double)?
    /// Whose brain and which atlas the regions are of, for the structural connectome to compare FC with.
    var subjectID: Int, atlasID: Int
    /// Each column's atlas label; nil for a column that is not an atlas region (a voxel unit).
    var labels: [Int?]

    /// The columns of the named regions, in the order named; a one-line error for an unknown name.
    func selecting(_ names: [String]?) throws -> AnalysisSeries {
        guard let names else { return self }
        let index = Dictionary(regions.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let columns = try names.map { name -> Int in
            guard let c = index[name] else {
                throw ServiceError.invalidOption("--regions", value: name, problem: "is not a region of \(title)")
            }
            return c
        }
        var selected = self
        selected.regions = names
        selected.frames = frames.map { row in columns.map { row[$0] } }
        selected.labels = columns.map { labels[$0] }
        if let activity {
            let width = regions.count
            selected.activity = (stride(from: 0, to: activity.counts.count, by: width).flatMap { row in columns.map { activity.counts[row + $0] } },
                                 activity.binMs)
        }
        return selected
    }
}

/// Reads the series `dtb analyze` works on from the database and the file store (checksums checked).
struct AnalysisSeriesReader {
    let database: Database

    /// The BOLD of a twin run or a subject's BOLD measure.
    func read(_ source: AnalysisOptions.Source) throws -> AnalysisSeries {
        switch source {
        case .run(let id): return try run(id)
        case .measure(let id): return try measure(id)
        case let .studyRun(study, arm, seed): return try studyRun(study, arm: arm, seed: seed)
        }
    }

    /// A study run's /bold, /units and /activity.
    func studyRun(_ study: String, arm: Int, seed: Int) throws -> AnalysisSeries {
        guard let row = try database.connection.query("""
            SELECT s.repetition_time, d.id, d.relative_path, d.sha256, d.size_bytes, s.bin_ms, t.subject_id, t.atlas_id
              FROM study s JOIN study_arm a ON a.study_id = s.id JOIN study_run r ON r.study_arm_id = a.id
              JOIN data_file d ON d.id = r.file_id JOIN twin_version v ON v.id = s.twin_version_id JOIN twin t ON t.id = v.twin_id
             WHERE s.name = $1 AND a.arm = $2 AND r.seed = $3
            """, [study, arm, seed]).first, let tr = row[0].double, let fileID = row[1].int, let path = row[2].string,
            let sha = row[3].string, let size = row[4].int, let bin = row[5].double, let subject = row[6].int, let atlas = row[7].int else {
            throw StoreError.notFound("study \(study) has no run of arm \(arm) with seed \(seed) (`dtb study show \(study)` lists its runs)")
        }
        return try runFile(StoredFile(id: fileID, relativePath: path, sha256: sha, size: Int64(size)), title: "study \(study) arm \(arm) seed \(seed)",
                           repetitionTime: tr, subject: subject, atlas: atlas, binMs: bin)
    }

    /// A twin run's /bold (samples × units) and /units from its HDF5 file.
    func run(_ id: Int) throws -> AnalysisSeries {
        guard let row = try database.connection.query("""
            SELECT r.repetition_time, d.id, d.relative_path, d.sha256, d.size_bytes, t.name, v.version, t.subject_id, t.atlas_id
              FROM twin_run r JOIN data_file d ON d.id = r.file_id JOIN twin_version v ON v.id = r.twin_version_id
              JOIN twin t ON t.id = v.twin_id WHERE r.id = $1
            """, [id]).first, let tr = row[0].double, let fileID = row[1].int, let path = row[2].string, let sha = row[3].string,
            let size = row[4].int, let twin = row[5].string, let version = row[6].int, let subject = row[7].int, let atlas = row[8].int else {
            throw StoreError.notFound("twin run \(id) does not exist (`dtb twin show TWIN` lists a version's runs)")
        }
        return try runFile(StoredFile(id: fileID, relativePath: path, sha256: sha, size: Int64(size)), title: "twin run \(id) (\(twin)@\(version))",
                           repetitionTime: tr, subject: subject, atlas: atlas, binMs: nil)
    }

    /// A run file's /bold (samples × units), /units and, when present, /activity (bin: its
    /// `bin_ms` attribute, else `binMs`).
    func runFile(_ stored: StoredFile, title: String, repetitionTime tr: Double, subject: Int, atlas: Int, binMs: Double?) throws -> AnalysisSeries {
        let url = try database.files.verify(stored)
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        let units = try file.readStrings("/units")
        let flat = try file.dataset("/bold").read(Double.self)
        guard !units.isEmpty, flat.count % units.count == 0 else {
            throw StoreError.file("\(url.path): /bold does not hold one column per unit")
        }
        let frames = (0..<(flat.count / units.count)).map { Array(flat[($0 * units.count)..<(($0 + 1) * units.count)]) }
        let label = Dictionary(try database.connection.query("SELECT name, label FROM region WHERE atlas_id = $1", [atlas]).compactMap { row in
            row[0].string.flatMap { name in row[1].int.map { (name, $0) } }
        }, uniquingKeysWith: { first, _ in first })
        var series = AnalysisSeries(title: title, regions: units, samplingRate: 1 / tr, frames: frames,
                                    subjectID: subject, atlasID: atlas, labels: units.map { label[$0] })
        if file.exists("/activity") {
            let counts = try file.dataset("/activity").read(UInt32.self)
            guard counts.count % units.count == 0 else { throw StoreError.file("\(url.path): /activity does not hold one column per unit") }
            let bin = file.hasAttribute("bin_ms", on: "/activity") ? try file.doubleAttribute("bin_ms", on: "/activity") : binMs ?? 1
            series.activity = (counts, bin)
        }
        return series
    }

    /// The subject's latest tract-density connectome on the series' atlas, symmetric-averaged later,
    /// with rows and columns in the series' column order; nil when there is none or a column is no region.
    func structure(for series: AnalysisSeries) throws -> (measure: Int, matrix: [[Double]])? {
        guard let measure = try database.connection.query("""
            SELECT m.id FROM measure m JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
             WHERE se.subject_id = $1 AND m.atlas_id = $2 AND m.kind = $3 ORDER BY m.id DESC LIMIT 1
            """, [series.subjectID, series.atlasID, MeasureKind.tractDensity]).first?[0].int else { return nil }
        let connectome = try SubjectCatalog(database: database).connectome(measureID: measure)
        let position = Dictionary(connectome.labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let n = connectome.labels.count
        let rows = series.labels.map { $0.flatMap { position[$0] } }
        guard !rows.contains(nil) else { return nil }
        let index = rows.compactMap { $0 }
        return (measure, index.map { i in index.map { j in connectome.matrix[i * n + j] } })
    }

    /// A subject's stored BOLD measure, regions in label order with the atlas's names.
    func measure(_ id: Int) throws -> AnalysisSeries {
        guard let row = try database.connection.query("""
            SELECT m.kind, m.repetition_time, a.name, a.id, s.label, se.label, s.id FROM measure m JOIN atlas a ON a.id = m.atlas_id
              JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id JOIN subject s ON s.id = se.subject_id
             WHERE m.id = $1
            """, [id]).first, let atlas = row[2].string, let atlasID = row[3].int, let subjectID = row[6].int else {
            throw StoreError.notFound("measure \(id) does not exist (`dtb subject show SUBJECT` lists a subject's measures)")
        }
        guard row[0].string == MeasureKind.boldTimeseries.rawValue, let tr = row[1].double, tr > 0 else {
            throw ServiceError.invalidRequest("measure \(id) is \(row[0].string ?? "?"), not a BOLD time series")
        }
        let regions = try database.connection.query("SELECT label, name FROM region WHERE atlas_id = $1 ORDER BY label", [atlasID])
        let labels = regions.compactMap { $0[0].int }, names = regions.compactMap { $0[1].string }
        let series = try SubjectCatalog(database: database).series(measureID: id, atlas: atlas, labels: labels)
        return AnalysisSeries(title: "measure \(id) (sub-\(row[4].string ?? "?") ses-\(row[5].string ?? "?"), \(atlas))", regions: names,
                              samplingRate: 1 / tr, frames: series.map { $0.map(Double.init) }, subjectID: subjectID, atlasID: atlasID,
                              labels: labels)
    }
}
