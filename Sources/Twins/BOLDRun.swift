import Foundation
import Ingest
import Postgres
import Store

/// One of a subject's stored BOLD measures as a twin sees it: the region time series in the
/// twin's unit order, with where it came from.
public struct BOLDRun: Sendable {
    public var measure: Int
    public var session: String
    /// The scan's path in its dataset (names the task: `..._task-rest_...`).
    public var scanPath: String
    public var repetitionTime: Double
    /// The twin's units (region names) and their labels, in unit order.
    public var units: [String]
    public var labels: [Int]
    /// Frames × the twin's units.
    public var series: [[Double]]
    /// The task's events, stored with the scan (none for a rest run).
    public var events: [TaskEvent]

    /// The BIDS task label of the scan, when its name has one.
    public var task: String? {
        let name = (scanPath as NSString).lastPathComponent
        return name.split(separator: "_").first { $0.hasPrefix("task-") }.map { String($0.dropFirst(5)) }
    }
}

/// One row of a run's `events.tsv`: onset and duration in seconds, and its trial type.
public struct TaskEvent: Sendable, Codable, Equatable {
    public var onset: Double
    public var duration: Double
    public var trialType: String?

    public init(onset: Double, duration: Double, trialType: String?) {
        self.onset = onset; self.duration = duration; self.trialType = trialType
    }
}

/// Reads BOLD measures for a twin version, refusing measures it cannot be compared with.
struct BOLDRunReader {
    let database: Database
    private var connection: PostgresConnection { database.connection }

    /// The measure's series mapped onto the version's units (region twins: by region label; voxel
    /// twins: by voxel, from the measure's voxel series).
    func read(measure: Int, versionID: Int) throws -> BOLDRun {
        guard let row = try connection.query("""
            SELECT m.kind, m.atlas_id, a.name AS atlas, m.repetition_time, se.label AS session, sc.bids_path, sc.id AS scan_id,
                   s.label AS subject, se.subject_id
              FROM measure m JOIN atlas a ON a.id = m.atlas_id JOIN scan sc ON sc.id = m.scan_id
              JOIN session se ON se.id = sc.session_id JOIN subject s ON s.id = se.subject_id
             WHERE m.id = $1
            """, [measure]).first else {
            throw TwinError.notFound("measure \(measure) does not exist (`dtb subject show SUBJECT` lists a subject's measures)")
        }
        let twin = try connection.query("""
            SELECT t.atlas_id, a.name AS atlas, t.subject_id, s.label AS subject, t.level, t.name
              FROM twin_version v JOIN twin t ON t.id = v.twin_id JOIN atlas a ON a.id = t.atlas_id JOIN subject s ON s.id = t.subject_id
             WHERE v.id = $1
            """, [versionID]).first!
        guard row["kind"].string == "bold_timeseries", let tr = row["repetition_time"].double else {
            throw TwinError.invalid("measure \(measure) is \(row["kind"].string ?? "?"), not a BOLD time series")
        }
        guard row["atlas_id"].int == twin["atlas_id"].int else {
            throw TwinError.invalid("measure \(measure) is on atlas \(row["atlas"].string!), twin \(twin["name"].string!) on \(twin["atlas"].string!)")
        }
        guard row["subject_id"].int == twin["subject_id"].int else {
            throw TwinError.invalid("measure \(measure) is of subject \(row["subject"].string!), twin \(twin["name"].string!) of \(twin["subject"].string!)")
        }
        let units = try TwinQueries(database: database).detail(versionID: versionID).units
        let labels = units.map(\.label)
        let series = twin["level"].string == "voxel"
            ? try voxelSeries(measure: measure, versionID: versionID, units: units.map(\.name), atlas: row["atlas"].string!, twin: twin["name"].string!)
            : try SubjectCatalog(database: database).series(measureID: measure, atlas: row["atlas"].string!, labels: labels)
        let events = try connection.query("SELECT onset, duration, trial_type FROM task_event WHERE scan_id = $1 ORDER BY ordinal",
                                          [row["scan_id"].int!]).map { TaskEvent(onset: $0[0].double!, duration: $0[1].double!, trialType: $0[2].string) }
        return BOLDRun(measure: measure, session: row["session"].string!, scanPath: row["bids_path"].string!,
                       repetitionTime: tr, units: units.map(\.name), labels: labels, series: series.map { $0.map(Double.init) },
                       events: events)
    }
}

/// A BOLD measure a twin can be fitted to or validated against.
public struct TwinBOLDMeasure: Sendable, Codable, Equatable {
    public var measure: Int
    public var session: String
    public var scanPath: String
    public var frames: Int
    public var repetitionTime: Double
}

extension TwinQueries {
    /// The BOLD measures of the twin's subject on its atlas, oldest first.
    public func boldMeasures(twin: String) throws -> [TwinBOLDMeasure] {
        _ = try versionID(TwinReference(twin: twin))
        return try database.connection.query("""
            SELECT m.id, se.label, sc.bids_path, m.frames, m.repetition_time
              FROM twin t JOIN session se ON se.subject_id = t.subject_id JOIN scan sc ON sc.session_id = se.id
              JOIN measure m ON m.scan_id = sc.id AND m.atlas_id = t.atlas_id
             WHERE t.name = $1 AND m.kind = 'bold_timeseries' ORDER BY m.id
            """, [twin]).map {
            TwinBOLDMeasure(measure: $0[0].int!, session: $0[1].string!, scanPath: $0[2].string!, frames: $0[3].int!,
                            repetitionTime: $0[4].double!)
        }
    }
}
