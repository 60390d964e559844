import Foundation
import Interventions
import Postgres
import Store

/// The study tables (Schema/0006): create a study with its arms, add runs one by one (each in
/// its own transaction with its file, so an interrupted study keeps what it finished), and
/// complete it with its effects in one transaction.
struct StudyStore {
    let database: Database
    private var connection: PostgresConnection { database.connection }

    /// The study named `name`, nil when there is none.
    func study(named name: String) throws -> StudyRecord? {
        guard let row = try connection.query("""
            SELECT s.id, s.name, s.twin_version_id, t.name AS twin, v.version, s.spec, s.status,
                   to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created
              FROM study s JOIN twin_version v ON v.id = s.twin_version_id JOIN twin t ON t.id = v.twin_id
             WHERE s.name = $1
            """, [name]).first else { return nil }
        let id = row["id"].int!
        let arms = try connection.query("""
            SELECT id, arm, label, interventions, sweep_value FROM study_arm WHERE study_id = $1 ORDER BY arm
            """, [id]).map {
            StudyArm(id: $0[0].int!, arm: $0[1].int!, label: $0[2].string!, interventions: try Self.json([Intervention].self, $0[3]),
                     sweepValue: $0[4].double)
        }
        return StudyRecord(id: id, name: row["name"].string!, versionID: row["twin_version_id"].int!, twin: row["twin"].string!,
                           version: row["version"].int!, settings: try Self.json(StudySettings.self, row["spec"]),
                           status: row["status"].string!, createdAt: row["created"].string!, arms: arms)
    }

    /// Every study, newest first, with its run count.
    func studies() throws -> [StudyListing] {
        try connection.query("""
            SELECT s.name, t.name || '@' || v.version AS twin, s.status, cardinality(s.seeds) AS seeds,
                   (SELECT count(*) FROM study_arm a WHERE a.study_id = s.id) AS arms,
                   (SELECT count(*) FROM study_run r JOIN study_arm a ON a.id = r.study_arm_id WHERE a.study_id = s.id) AS runs,
                   to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created
              FROM study s JOIN twin_version v ON v.id = s.twin_version_id JOIN twin t ON t.id = v.twin_id
             ORDER BY s.id DESC
            """).map {
            StudyListing(study: $0[0].string!, twin: $0[1].string!, status: $0[2].string!, seeds: $0[3].int!, arms: $0[4].int!,
                         runs: $0[5].int!, createdAt: $0[6].string!)
        }
    }

    /// Inserts the study and its arms in one transaction.
    func create(name: String, versionID: Int, settings: StudySettings, arms: [(label: String, interventions: [Intervention], sweep: Double?)]) throws {
        let encoder = JSONStyle.compactEncoder()
        let spec = String(decoding: try encoder.encode(settings), as: UTF8.self)
        try connection.transaction { c in
            let id = try c.query("""
                INSERT INTO study (name, twin_version_id, spec, seeds, seconds, warmup_seconds, repetition_time, bin_ms, measure_id, replay, code_version)
                VALUES ($1, $2, $3::jsonb, $4::bigint[], $5, $6, $7, $8, $9, $10, $11) RETURNING id
                """, [name, versionID, spec, "{" + settings.seeds.map(String.init).joined(separator: ",") + "}", settings.seconds,
                      settings.warmupSeconds, settings.repetitionTime, settings.binMilliseconds, settings.measure, settings.replay,
                      ProjectResources.codeVersion]).scalar().int!
            for (k, arm) in arms.enumerated() {
                try c.query("""
                    INSERT INTO study_arm (study_id, arm, label, interventions, sweep_value) VALUES ($1, $2, $3, $4::jsonb, $5)
                    """, [id, k, arm.label, String(decoding: try encoder.encode(arm.interventions), as: UTF8.self), arm.sweep])
            }
        }
    }

    /// The runs stored so far, by arm then seed.
    func runs(studyID: Int) throws -> [StudyRunRecord] {
        try connection.query("""
            SELECT a.arm, r.seed, r.spikes, r.mean_rate_hz, r.fc_similarity, r.wall_seconds, d.relative_path, d.sha256
              FROM study_run r JOIN study_arm a ON a.id = r.study_arm_id JOIN data_file d ON d.id = r.file_id
             WHERE a.study_id = $1 ORDER BY a.arm, r.seed
            """, [studyID]).map {
            StudyRunRecord(arm: $0[0].int!, seed: $0[1].int!, spikes: $0[2].int!, meanRateHz: $0[3].double!, fcSimilarity: $0[4].double,
                           wallSeconds: $0[5].double!, path: $0[6].string!, sha256: $0[7].string!)
        }
    }

    /// Registers a run's staged file and its row in one transaction (the file is discarded when
    /// that fails). A run another process stored first is kept as it is (same seed, same run) and
    /// this one discarded.
    func insertRun(armID: Int, seed: Int, staged: StagedFile, spikes: Int, meanRate: Double, fcSimilarity: Double?, wall: Double) throws {
        do {
            try connection.transaction { c in
                let file = try database.files.register(staged, on: c)
                let inserted = try c.query("""
                    INSERT INTO study_run (study_arm_id, seed, file_id, spikes, mean_rate_hz, fc_similarity, wall_seconds)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (study_arm_id, seed) DO NOTHING RETURNING id
                    """, [armID, seed, file.id, spikes, meanRate, fcSimilarity, wall])
                if inserted.isEmpty { throw StoredElsewhere() }
            }
        } catch is StoredElsewhere {
            database.files.discard(staged, on: connection)
        } catch {
            database.files.discard(staged, on: connection)
            throw error
        }
    }

    /// Rolls back the registration of a run that another process stored first.
    private struct StoredElsewhere: Error {}

    /// Stores the effects (through COPY) and marks the study complete, in one transaction, under
    /// the study row's lock; refuses when a run is missing, so a study is never complete without
    /// all its arms. Returns false, storing nothing, when another process completed it first.
    @discardableResult
    func complete(_ study: StudyRecord, effects: [StudyEffect], regionIDs: [String: Int]) throws -> Bool {
        try connection.transaction { c in
            let status = try c.query("SELECT status FROM study WHERE id = $1 FOR UPDATE", [study.id]).scalar().string
            guard status != "complete" else { return false }
            let runs = try c.query("""
                SELECT count(*) FROM study_run r JOIN study_arm a ON a.id = r.study_arm_id WHERE a.study_id = $1
                """, [study.id]).scalar().int!
            guard runs == study.arms.count * study.settings.seeds.count else {
                throw StudyError.invalid("study \(study.name) has \(runs) of \(study.arms.count * study.settings.seeds.count) runs: it cannot be completed")
            }
            let armIDs = Dictionary(uniqueKeysWithValues: study.arms.map { ($0.arm, $0.id) })
            _ = try c.copyIn("""
                COPY study_effect (study_arm_id, outcome, unit, region_id, control_mean, treated_mean, difference, ci_lower, ci_upper,
                                   effect_size, p_value, q_value) FROM STDIN
                """) { writer in
                for e in effects {
                    try writer.row([armIDs[e.arm]!, e.outcome, e.unit, regionIDs[e.unit], e.controlMean, e.treatedMean, e.difference,
                                    e.lower, e.upper, e.effectSize, e.p, e.q])
                }
            }
            try c.query("UPDATE study SET status = 'complete', completed_at = now() WHERE id = $1", [study.id])
            return true
        }
    }

    /// The stored effects of a study.
    func effects(studyID: Int) throws -> [StudyEffect] {
        try connection.query("""
            SELECT a.arm, e.outcome, e.unit, e.control_mean, e.treated_mean, e.difference, e.ci_lower, e.ci_upper, e.effect_size,
                   e.p_value, e.q_value
              FROM study_effect e JOIN study_arm a ON a.id = e.study_arm_id WHERE a.study_id = $1
            """, [studyID]).map {
            StudyEffect(arm: $0[0].int!, outcome: $0[1].string!, unit: $0[2].string!, controlMean: $0[3].double!,
                        treatedMean: $0[4].double!, difference: $0[5].double!, lower: $0[6].double, upper: $0[7].double,
                        effectSize: $0[8].double, p: $0[9].double, q: $0[10].double)
        }
    }

    /// A jsonb column written in ``JSONStyle`` (snake_case keys).
    static func json<T: Decodable>(_ type: T.Type, _ cell: PostgresCell) throws -> T {
        try JSONStyle.decoder().decode(T.self, from: Data((cell.string ?? "null").utf8))
    }

    /// Region ids of the twin's atlas by name (effects name their region).
    func regionIDs(versionID: Int) throws -> [String: Int] {
        Dictionary(try connection.query("""
            SELECT r.name, r.id FROM twin_version v JOIN twin t ON t.id = v.twin_id JOIN region r ON r.atlas_id = t.atlas_id WHERE v.id = $1
            """, [versionID]).map { ($0[0].string!, $0[1].int!) }, uniquingKeysWith: { a, _ in a })
    }
}
