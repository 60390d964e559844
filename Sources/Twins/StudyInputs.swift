import Assimilation
import Foundation
import Postgres
import Store
import TwinBuilder

/// What an assimilated version replays in a study: its fit's hyperparameter kinds, fitted units
/// and h(t) per frame of the measure it was fitted to.
public struct FittedReplay: Sendable {
    public var kinds: [HyperparameterKind]
    /// Indices into the twin's units.
    public var units: [Int]
    /// Per frame, the ensemble mean of h.
    public var h: [[Double]]
    public var repetitionTime: Double
    public var measure: Int
    public var warmupSeconds: Double
}

/// The parts of a twin version a virtual-treatment study reads: the version's status and
/// network, its fit if it was assimilated, and its subject's empirical BOLD.
public struct StudyInputs {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// The version's id and information.
    public func version(_ reference: TwinReference) throws -> (id: Int, info: TwinVersionInfo) {
        let queries = TwinQueries(database: database)
        let id = try queries.versionID(reference)
        return (id, try queries.info(versionID: id))
    }

    /// The version's network from its checksum-verified SONATA files.
    public func network(versionID: Int) throws -> TwinNetwork { try TwinRunner(database: database).network(versionID: versionID) }

    /// The fit an assimilated version replays; nil for a built version.
    public func fittedReplay(versionID: Int) throws -> FittedReplay? {
        let store = AssimilationStore(database: database)
        guard let record = try store.record(versionID: versionID) else { return nil }
        let run = try BOLDRunReader(database: database).read(measure: record.settings.measure, versionID: versionID)
        let plan = try TwinValidator(database: database).replayPlan(versionID: versionID, record: record, run: run, frames: run.series.count)
        return FittedReplay(kinds: plan.kinds, units: plan.fitted, h: plan.h, repetitionTime: run.repetitionTime,
                            measure: record.settings.measure, warmupSeconds: record.settings.filter.warmupSeconds)
    }

    /// A stored BOLD measure of the version's subject on its units.
    public func empiricalRun(measure: Int, versionID: Int) throws -> BOLDRun {
        try BOLDRunReader(database: database).read(measure: measure, versionID: versionID)
    }

    /// The subject's latest resting-state BOLD measure on the twin's atlas (the reference a study
    /// compares each arm's FC with), nil when it has none.
    public func latestRestMeasure(versionID: Int) throws -> Int? {
        let rows = try database.connection.query("""
            SELECT m.id, sc.bids_path FROM twin_version v JOIN twin t ON t.id = v.twin_id
              JOIN session se ON se.subject_id = t.subject_id JOIN scan sc ON sc.session_id = se.id
              JOIN measure m ON m.scan_id = sc.id AND m.atlas_id = t.atlas_id
             WHERE v.id = $1 AND m.kind = $2 ORDER BY m.id DESC
            """, [versionID, MeasureKind.boldTimeseries])
        return rows.first { ($0[1].string ?? "").contains("task-rest") }?[0].int ?? rows.first?[0].int
    }
}
