import Foundation
import Postgres
import Store

/// A twin's data as the job rules (`Sources/Services/JobRules.swift`) see it: what its latest
/// version was built from, what a build would read now, and the BOLD measures stored since the
/// twin was made.
public struct TwinDataState: Sendable, Equatable {
    public var twinID: Int
    public var twin: String
    public var subject: String
    public var atlas: String
    public var level: TwinLevel
    /// The latest version's number.
    public var latestVersion: Int
    /// The latest version's structural inputs (gray matter, SV2A, tract density and length) by kind.
    public var inputs: [MeasureKind: Int]
    /// The structural measures a build would read now: per kind, the subject's newest on the atlas.
    public var available: [MeasureKind: Int]
    /// The subject's BOLD measures on the atlas stored after the twin's first version, oldest first.
    public var boldMeasures: [Int]
    /// Those of `boldMeasures` that are task runs (their scan has events).
    public var taskMeasures: Set<Int>

    public init(twinID: Int, twin: String, subject: String, atlas: String, level: TwinLevel, latestVersion: Int,
                inputs: [MeasureKind: Int], available: [MeasureKind: Int], boldMeasures: [Int], taskMeasures: Set<Int> = []) {
        self.twinID = twinID; self.twin = twin; self.subject = subject; self.atlas = atlas; self.level = level
        self.latestVersion = latestVersion; self.inputs = inputs; self.available = available; self.boldMeasures = boldMeasures
        self.taskMeasures = taskMeasures
    }
}

/// Reads ``TwinDataState``s.
public struct TwinDataStateReader {
    public let database: Database
    public init(database: Database) { self.database = database }
    private var connection: PostgresConnection { database.connection }

    /// Every twin's state, of one subject's twins when `subject` is given (an unknown subject has none).
    public func states(subject: String? = nil) throws -> [TwinDataState] {
        try connection.query("""
            SELECT t.id, t.name, s.label, s.id AS subject_id, a.name AS atlas, a.id AS atlas_id, t.level,
                   v.id AS version_id, v.version
              FROM twin t JOIN subject s ON s.id = t.subject_id JOIN atlas a ON a.id = t.atlas_id
              JOIN LATERAL (SELECT id, version FROM twin_version WHERE twin_id = t.id ORDER BY version DESC LIMIT 1) v ON true
             WHERE $1::text IS NULL OR s.label = $1
             ORDER BY t.id
            """, [subject.map(TwinInputReader.bare)]).map(state)
    }

    private func state(_ row: PostgresRow) throws -> TwinDataState {
        guard let id = row["id"].int, let subjectID = row["subject_id"].int, let atlasID = row["atlas_id"].int,
              let versionID = row["version_id"].int, let level = row["level"].string.flatMap(TwinLevel.init(rawValue:)) else {
            throw TwinError.invalid("twin row \(row["id"].string ?? "?") is incomplete")
        }
        let bold = try boldMeasures(subject: subjectID, atlas: atlasID, twin: id)
        return TwinDataState(
            twinID: id, twin: row["name"].string ?? "", subject: row["label"].string ?? "", atlas: row["atlas"].string ?? "",
            level: level, latestVersion: row["version"].int ?? 0, inputs: try inputs(versionID: versionID),
            available: try TwinInputReader(database: database).latestMeasures(subject: subjectID, atlas: atlasID),
            boldMeasures: bold.map(\.id), taskMeasures: Set(bold.filter(\.task).map(\.id)))
    }

    private func inputs(versionID: Int) throws -> [MeasureKind: Int] {
        var out: [MeasureKind: Int] = [:]
        for row in try connection.query("""
            SELECT role, measure_id FROM twin_version_input WHERE twin_version_id = $1 AND role = ANY ($2)
            """, [versionID, TwinInputReader.roles.map(\.rawValue)]) {
            if let kind = row[0].string.flatMap(MeasureKind.init(rawValue:)), let measure = row[1].int { out[kind] = measure }
        }
        return out
    }

    /// BOLD measures stored (server time) after the twin's first version was recorded: the data
    /// the twin has not been fitted to when it was made.
    private func boldMeasures(subject: Int, atlas: Int, twin: Int) throws -> [(id: Int, task: Bool)] {
        try connection.query("""
            SELECT m.id, EXISTS (SELECT 1 FROM task_event e WHERE e.scan_id = sc.id)
              FROM measure m JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
             WHERE se.subject_id = $1 AND m.atlas_id = $2 AND m.kind = 'bold_timeseries'
               AND m.created_at > (SELECT created_at FROM twin_version WHERE twin_id = $3 AND version = 1)
             ORDER BY m.id
            """, [subject, atlas, twin]).compactMap { row in row[0].int.map { ($0, row[1].bool ?? false) } }
    }
}
