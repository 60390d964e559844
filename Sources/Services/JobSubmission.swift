import Foundation
import Jobs
import Store
import Twins

/// Work asked for by a client of `dtb serve`: checked now, queued for `dtb worker`, never run here.
///
/// Each request names a twin, a version (its latest ready one when none is named) and a BOLD
/// measure of the twin's subject on the twin's atlas; the job's key names all three, so the same
/// request twice returns the job queued the first time.
public struct JobSubmission {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// Queues a validation of `twin`@`version` against `measure`.
    public func validate(twin: String, version: Int?, measure: Int) throws -> EnqueuedJob {
        try submit(.validate, twin: twin, version: version, measure: measure)
    }

    /// Queues a fit of `twin`@`version` to `measure` (a new version when the job is done).
    public func assimilate(twin: String, version: Int?, measure: Int) throws -> EnqueuedJob {
        try submit(.assimilate, twin: twin, version: version, measure: measure)
    }

    /// Queues what new data calls for (``JobPlanner``), for one subject or all.
    public func plan(subject: String?) throws -> [JobRecord] {
        try JobPlanner(database: database).plan(subject: subject)
    }

    /// Queues an ingest of the dataset at `path` (resolved by ``DataDirectory``). Each request
    /// queues a job of its own: the same folder may hold new files by the next request.
    public func ingest(path: URL) throws -> EnqueuedJob {
        try JobQueue(database: database).enqueue(JobRequest(kind: .ingest, key: "api-ingest:\(UUID().uuidString.lowercased()):\(path.path)",
                                                            payload: IngestJobPayload(path: path.path)))
    }

    private func submit(_ kind: JobKind, twin: String, version: Int?, measure: Int) throws -> EnqueuedJob {
        let queries = TwinQueries(database: database)
        let number = try version ?? queries.latestReadyVersion(twin: twin)
        let info = try queries.version(TwinReference(twin: twin, version: number))
        guard info.status == "ready" else { throw ServiceError.invalidRequest("twin \(twin) version \(number) is \(info.status), not ready") }
        let twinID = try checkMeasure(measure, twin: twin)
        let payload = TwinJobPayload(twin: twin, twinId: twinID, measure: measure, version: number)
        let key = "api-\(kind.rawValue):twin=\(twinID):version=\(number):measure=\(measure)"
        return try JobQueue(database: database).enqueue(JobRequest(kind: kind, key: key, payload: payload))
    }

    /// The twin's row id, once `measure` is known to be a BOLD series of its subject on its atlas.
    private func checkMeasure(_ measure: Int, twin: String) throws -> Int {
        guard let row = try database.connection.query("""
            SELECT t.id, m.kind, (m.atlas_id = t.atlas_id AND se.subject_id = t.subject_id) AS same
              FROM twin t, measure m JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
             WHERE t.name = $1 AND m.id = $2
            """, [twin, measure]).first, let twinID = row[0].int else {
            throw StoreError.notFound("measure \(measure) does not exist")
        }
        guard row[1].string == MeasureKind.boldTimeseries.rawValue else {
            throw ServiceError.invalidOption("measure", value: "\(measure)", problem: "is \(row[1].string ?? "?"), not a BOLD time series")
        }
        guard row[2].bool == true else {
            throw ServiceError.invalidOption("measure", value: "\(measure)", problem: "is not a BOLD series of twin \(twin)'s subject on its atlas")
        }
        return twinID
    }
}
