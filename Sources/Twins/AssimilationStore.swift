import Analyses
import Assimilation
import Foundation
import Postgres
import Store

/// A row of `assimilation`.
struct AssimilationRecord {
    var settings: AssimilationSettings
    var observation: ObservationRecord
    var fit: AssimilationFit?
    var frames: Int
    var framesDone: Int
    var wall: Double?
}

/// The rows and files of assimilated versions.
struct AssimilationStore {
    let database: Database
    private var connection: PostgresConnection { database.connection }

    /// An assimilated version being written or written.
    struct Target {
        var versionID: Int
        var version: Int
        var status: String
        var observation: ObservationRecord
    }

    /// The assimilation with these settings, unless it failed.
    func find(digest: String) throws -> Target? {
        try connection.query("""
            SELECT a.twin_version_id, v.version, v.status, a.observation FROM assimilation a JOIN twin_version v ON v.id = a.twin_version_id
             WHERE a.settings_digest = $1 AND v.status <> 'failed' ORDER BY v.id DESC LIMIT 1
            """, [digest]).first.map {
            Target(versionID: $0[0].int!, version: $0[1].int!, status: $0[2].string!, observation: try $0[3].decode(ObservationRecord.self))
        }
    }

    /// The new version (status assimilating: a copy of its parent's network and inputs, with the
    /// fitted run as its BOLD input) and its assimilation row, in one transaction.
    func create(_ plan: TwinAssimilator.Plan, observation: ObservationRecord, frames: Int) throws -> Target {
        try connection.transaction { c in
            let info = plan.info
            try c.advisoryTransactionLock(named: "twin:\(info.subject):\(info.atlas):\(info.level.rawValue)")
            let row = try c.query("""
                INSERT INTO twin_version (twin_id, version, parent_id, origin, status, seed, builder_parameters, model, bold_preset,
                                          bold_parameters, code_version, neurons, synapses, summary, network_digest)
                SELECT p.twin_id, (SELECT max(version) + 1 FROM twin_version WHERE twin_id = p.twin_id), p.id, 'assimilation',
                       'assimilating', p.seed, p.builder_parameters, p.model, p.bold_preset, p.bold_parameters, $2, p.neurons,
                       p.synapses, p.summary, p.network_digest
                  FROM twin_version p WHERE p.id = $1
                RETURNING id, version
                """, [plan.versionID, ProjectResources.codeVersion]).first!
            let id = row[0].int!
            try c.query("""
                INSERT INTO twin_version_file (twin_version_id, role, file_id)
                SELECT $1, role, file_id FROM twin_version_file WHERE twin_version_id = $2 AND role IN ('nodes', 'edges', 'node_types', 'edge_types')
                """, [id, plan.versionID])
            try c.query("""
                INSERT INTO twin_version_input (twin_version_id, role, measure_id)
                SELECT $1, role, measure_id FROM twin_version_input WHERE twin_version_id = $2 AND role <> 'bold_timeseries'
                UNION ALL SELECT $1, 'bold_timeseries', $3
                """, [id, plan.versionID, plan.run.measure])
            try c.query("""
                INSERT INTO assimilation (twin_version_id, measure_id, warm_start_id, settings, settings_digest, observation, frames)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [id, plan.run.measure, plan.settings.warmStart, try PostgresJSON(encoding: plan.settings), plan.digest,
                      try PostgresJSON(encoding: observation), frames])
            return Target(versionID: id, version: row[1].int!, status: "assimilating", observation: observation)
        }
    }

    func recordProgress(_ target: Target, framesDone: Int) throws {
        try connection.query("UPDATE assimilation SET frames_done = $2 WHERE twin_version_id = $1", [target.versionID, framesDone])
    }

    /// Stores h(t) and the posterior, records the fit and marks the version ready, in one transaction.
    func finish(_ target: Target, plan: TwinAssimilator.Plan, frames: [AssimilationFrame], targets: [[Double]], posterior: URL,
                wall: Double, secondsPerFrame: Double?) throws {
        let files = database.files
        let series = try files.stage(kind: "twins", extension: "h5") { url in
            try AssimilationFiles.writeHyperparameters(frames: frames, observed: targets, units: plan.settings.units,
                                                       kinds: plan.settings.hyperparameters.map(\.kind.rawValue),
                                                       repetitionTime: plan.run.repetitionTime, members: plan.settings.members, to: url)
        }
        defer { files.discard(series, on: connection) }
        let ensemble = try files.stage(kind: "twins", extension: "h5") { url in try FileManager.default.copyItem(at: posterior, to: url) }
        defer { files.discard(ensemble, on: connection) }
        var fit = Self.fit(frames: frames, targets: targets, transient: Self.transient(frames.count))
        fit.secondsPerFrame = secondsPerFrame
        try connection.transaction { c in
            for (role, staged) in [("hyperparameters", series), ("posterior", ensemble)] {
                let stored = try files.register(staged, on: c)
                try c.query("INSERT INTO twin_version_file (twin_version_id, role, file_id) VALUES ($1, $2, $3)", [target.versionID, role, stored.id])
            }
            try c.query("""
                UPDATE assimilation SET fit = $2, wall_seconds = $3, finished_at = now(), frames_done = frames WHERE twin_version_id = $1
                """, [target.versionID, try PostgresJSON(encoding: fit), wall])
            try c.query("UPDATE twin_version SET status = 'ready' WHERE id = $1", [target.versionID])
            try c.notify(TwinVersionNotification(twin: plan.info.twin, version: target.version))
            CrashPoint.stallBeforeCommit()
        }
    }

    /// Frames of a fit's own transient, left out of its r: a fifth of them, at most 5.
    static func transient(_ frames: Int) -> Int { min(5, frames / 5) }

    /// Per unit, r of the forecast with the targets after `transient` frames.
    static func fit(frames: [AssimilationFrame], targets: [[Double]], transient: Int) -> AssimilationFit {
        let units = targets.first?.count ?? 0
        let kept = transient..<min(frames.count, targets.count)
        func r(_ series: KeyPath<AssimilationFrame, [Double]>) -> [Double?] {
            (0..<units).map { u in pearson(kept.map { frames[$0][keyPath: series][u] }, kept.map { targets[$0][u] }) }
        }
        func mean(_ r: [Double?]) -> Double? {
            let known = r.compactMap { $0 }
            return known.isEmpty ? nil : known.reduce(0, +) / Double(known.count)
        }
        let forecast = r(\.forecast)
        return AssimilationFit(transientFrames: transient, boldR: mean(forecast), boldRPerUnit: forecast,
                               trackingR: mean(r(\.analysis)), secondsPerFrame: nil)
    }

    /// The nearest version at or above `versionID` (along parents) whose posterior fits an
    /// ensemble of this shape: a warm start.
    func posteriorVersion(of versionID: Int, members: Int, units: [String], kinds: [HyperparameterKind]) throws -> Int? {
        let rows = try connection.query("""
            WITH RECURSIVE up(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM twin_version WHERE id = $1
                UNION ALL SELECT v.id, v.parent_id, up.depth + 1 FROM twin_version v JOIN up ON v.id = up.parent_id)
            SELECT up.id, a.settings FROM up JOIN assimilation a ON a.twin_version_id = up.id
              JOIN twin_version_file f ON f.twin_version_id = up.id AND f.role = 'posterior'
             ORDER BY up.depth
            """, [versionID])
        for row in rows {
            let s = try row[1].decode(AssimilationSettings.self)
            if s.members == members, s.units == units, s.hyperparameters.map(\.kind) == kinds { return row[0].int! }
        }
        return nil
    }

    /// θ of a version's posterior ensemble (checksum verified).
    func posteriorTheta(versionID: Int) throws -> [Double] {
        try AssimilationFiles.readTheta(try file(role: "posterior", versionID: versionID))
    }

    /// The fitted frames of an assimilated version (checksum verified).
    func fittedFrames(versionID: Int) throws -> [AssimilationFrame] {
        try AssimilationFiles.readHyperparameters(try file(role: "hyperparameters", versionID: versionID))
    }

    func file(role: String, versionID: Int) throws -> URL {
        guard let row = try connection.query("""
            SELECT d.id, d.relative_path, d.sha256, d.size_bytes FROM twin_version_file f JOIN data_file d ON d.id = f.file_id
             WHERE f.twin_version_id = $1 AND f.role = $2
            """, [versionID, role]).first else { throw TwinError.missingData("the version has no \(role) file") }
        return try database.files.verify(StoredFile(id: row[0].int!, relativePath: row[1].string!, sha256: row[2].string!,
                                                    size: Int64(row[3].int!)))
    }

    /// The assimilation record of a version; nil for a built one.
    func record(versionID: Int) throws -> AssimilationRecord? {
        try connection.query("""
            SELECT settings, observation, fit, frames, frames_done, wall_seconds FROM assimilation WHERE twin_version_id = $1
            """, [versionID]).first.map {
            AssimilationRecord(settings: try $0[0].decode(AssimilationSettings.self), observation: try $0[1].decode(ObservationRecord.self),
                               fit: $0[2].isNull ? nil : try $0[2].decode(AssimilationFit.self), frames: $0[3].int!,
                               framesDone: $0[4].int!, wall: $0[5].double)
        }
    }

    /// The number of the version with row id `id` (settings record versions by row id).
    func versionNumber(_ id: Int) throws -> Int {
        try connection.query("SELECT version FROM twin_version WHERE id = $1", [id]).scalar().int!
    }

    func outcome(versionID: Int, action: TwinAssimilationOutcome.Action) throws -> TwinAssimilationOutcome {
        let info = try TwinQueries(database: database).info(versionID: versionID)
        guard let r = try record(versionID: versionID) else { throw TwinError.notFound("version \(info.version) is not an assimilation") }
        let parent = try versionNumber(r.settings.parent)
        let warm = try r.settings.warmStart.map(versionNumber)
        let wall = r.wall ?? 0
        return TwinAssimilationOutcome(twin: info.twin, version: info.version, parent: parent, action: action, measure: r.settings.measure,
                                       frames: r.frames, members: r.settings.members, fittedUnits: r.settings.units.count,
                                       hyperparameters: r.settings.hyperparameters, observation: r.observation,
                                       fit: r.fit ?? AssimilationFit(transientFrames: 0, boldR: nil, boldRPerUnit: [], trackingR: nil, secondsPerFrame: nil),
                                       warmStart: warm, wallSeconds: wall, secondsPerFrame: wall / Double(max(1, r.frames)))
    }
}
