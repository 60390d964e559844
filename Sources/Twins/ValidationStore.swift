import Foundation
import Postgres
import Store

/// A validation before it is stored.
struct StoredValidation {
    var versionID: Int
    var measure: Int
    var replay: String
    var inSample: Bool
    var preset: String
    var seed: UInt64
    var frames: Int
    var all: ValidationFigures
    var assimilated: ValidationFigures?
    var other: ValidationFigures?
    var baselines: ValidationBaselines
    var wall: Double
}

/// The `metrics` column: the figures of all units, and of the assimilated and the other units.
struct ValidationMetricsRecord: Codable {
    var all: ValidationFigures
    var assimilated: ValidationFigures?
    var other: ValidationFigures?
}

/// The rows of `validation`.
struct ValidationStore {
    let database: Database
    private var connection: PostgresConnection { database.connection }

    func insert(_ v: StoredValidation, twin: String, version: Int) throws -> TwinValidationReport {
        let metrics = ValidationMetricsRecord(all: v.all, assimilated: v.assimilated, other: v.other)
        let row = try connection.query("""
            INSERT INTO validation (twin_version_id, measure_id, replay, in_sample, observation_preset, seed, frames, bold_r,
                                    fc_similarity, fc_distance, fcd_ks, metrics, baselines, code_version, wall_seconds)
            VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            RETURNING id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            """, [v.versionID, v.measure, v.replay, v.inSample, v.preset, String(v.seed), v.frames, v.all.boldR, v.all.fcSimilarity,
                  v.all.fcDistance, v.all.fcdKS, try PostgresJSON(encoding: metrics), try PostgresJSON(encoding: v.baselines),
                  ProjectResources.codeVersion, v.wall]).first!
        return TwinValidationReport(validation: row[0].int!, twin: twin, version: version, measure: v.measure, replay: v.replay,
                                    inSample: v.inSample, observationPreset: v.preset, seed: v.seed, frames: v.frames, all: v.all,
                                    assimilated: v.assimilated, other: v.other, baselines: v.baselines, wallSeconds: v.wall,
                                    createdAt: row[1].string!)
    }

    /// Every validation of a version (on one measure, when given), oldest first.
    func validations(versionID: Int, measure: Int? = nil) throws -> [TwinValidationReport] {
        try validations(versionIDs: [versionID], measure: measure)[versionID] ?? []
    }

    /// The validations of several versions in one query, oldest first per version.
    func validations(versionIDs: [Int], measure: Int? = nil) throws -> [Int: [TwinValidationReport]] {
        var out: [Int: [TwinValidationReport]] = [:]
        for row in try connection.query("""
            SELECT x.id, t.name, v.version, x.measure_id, x.replay, x.in_sample, x.observation_preset, x.seed::text, x.frames,
                   x.metrics, x.baselines, x.wall_seconds, to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   x.twin_version_id
              FROM validation x JOIN twin_version v ON v.id = x.twin_version_id JOIN twin t ON t.id = v.twin_id
             WHERE x.twin_version_id = ANY($1) AND ($2::bigint IS NULL OR x.measure_id = $2) ORDER BY x.id
            """, [versionIDs, measure]) {
            let m = try row[9].decode(ValidationMetricsRecord.self)
            out[row[13].int!, default: []].append(TwinValidationReport(
                validation: row[0].int!, twin: row[1].string!, version: row[2].int!, measure: row[3].int!, replay: row[4].string!,
                inSample: row[5].bool!, observationPreset: row[6].string!, seed: UInt64(row[7].string!)!, frames: row[8].int!, all: m.all,
                assimilated: m.assimilated, other: m.other, baselines: try row[10].decode(ValidationBaselines.self),
                wallSeconds: row[11].double!, createdAt: row[12].string!))
        }
        return out
    }

    /// The summaries of several versions' validations in one query, oldest first per version:
    /// the figures of all units from their columns and the fitted units' BOLD r from the metrics,
    /// without decoding the per-unit metrics (what made a history page slow).
    func summaries(versionIDs: [Int]) throws -> [Int: [TwinValidationSummary]] {
        var out: [Int: [TwinValidationSummary]] = [:]
        for row in try connection.query("""
            SELECT x.twin_version_id, x.id, x.measure_id, x.replay, x.in_sample, x.bold_r, (x.metrics->'assimilated'->>'boldR')::float8,
                   x.fc_similarity, x.fc_distance, x.fcd_ks, to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
              FROM validation x WHERE x.twin_version_id = ANY($1) ORDER BY x.id
            """, [versionIDs]) {
            out[row[0].int!, default: []].append(TwinValidationSummary(
                validation: row[1].int!, measure: row[2].int!, replay: row[3].string!, inSample: row[4].bool!, boldR: row[5].double,
                assimilatedBoldR: row[6].double, fcSimilarity: row[7].double, fcDistance: row[8].double, fcdKS: row[9].double,
                createdAt: row[10].string!))
        }
        return out
    }

    /// The nearest built ancestor (or the version itself) and its latest figures on `measure`.
    func buildAncestorFigures(versionID: Int, measure: Int) throws -> (version: Int, boldR: Double?, fcSimilarity: Double?)? {
        try connection.query("""
            WITH RECURSIVE up(id, parent_id, origin, version, depth) AS (
                SELECT id, parent_id, origin, version, 0 FROM twin_version WHERE id = $1
                UNION ALL SELECT v.id, v.parent_id, v.origin, v.version, up.depth + 1 FROM twin_version v JOIN up ON v.id = up.parent_id)
            SELECT up.version, x.bold_r, x.fc_similarity FROM up JOIN validation x ON x.twin_version_id = up.id AND x.measure_id = $2
             WHERE up.origin = 'build' ORDER BY up.depth, x.id DESC LIMIT 1
            """, [versionID, measure]).first.map { ($0[0].int!, $0[1].double, $0[2].double) }
    }
}

extension TwinQueries {
    /// A version's stored validations on one measure, oldest first.
    public func validations(_ reference: TwinReference, measure: Int) throws -> [TwinValidationReport] {
        try ValidationStore(database: database).validations(versionID: versionID(reference), measure: measure)
    }

    /// The number of the twin's newest ready version.
    public func latestReadyVersion(twin: String) throws -> Int {
        _ = try versionID(TwinReference(twin: twin))
        guard let v = try database.connection.query("""
            SELECT max(v.version) FROM twin_version v JOIN twin t ON t.id = v.twin_id WHERE t.name = $1 AND v.status = 'ready'
            """, [twin]).scalar().int else { throw TwinError.notFound("twin \(twin) has no ready version") }
        return v
    }
}
