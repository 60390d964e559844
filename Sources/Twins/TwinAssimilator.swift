import Analyses
import Assimilation
import Foundation
import Postgres
import SpikingEngine
import Store
import TwinBuilder

/// Fits twin versions to their subject's BOLD runs and stores each fit as a new version.
///
/// The new version's row (status `assimilating`, origin `assimilation`, the parent's network
/// files) and its `assimilation` row are written in one transaction before the first frame; the
/// ensemble is checkpointed to `<home>/checkpoints/` every few frames (one file, or one per rank
/// and a manifest: ``CheckpointSet``); one last transaction
/// stores the fitted h(t) and the posterior ensemble and marks the version ready. Running the
/// same request again finds the assimilation by its settings digest and resumes it from the
/// checkpoint, so a killed run ends with exactly the result of an uninterrupted one.
public struct TwinAssimilator {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// Everything known before the engine starts.
    struct Plan {
        var versionID: Int
        var info: TwinVersionInfo
        var run: BOLDRun
        var settings: AssimilationSettings
        var digest: String
        var fitted: [Int]
    }

    public func assimilate(_ request: TwinAssimilationRequest, progress: (String) -> Void = { _ in }) throws -> TwinAssimilationOutcome {
        try assimilate(request, sharing: nil, progress: progress)
    }

    /// Assimilates as the process of a ``FitSharing`` that talks to the database (or alone, when
    /// `sharing` is nil): it plans the fit, hands the plan to the others (nil when there is no
    /// fit to run: one already finished, or planning failed) and records the result.
    public func assimilate(_ request: TwinAssimilationRequest, sharing: FitSharing?,
                           progress: (String) -> Void = { _ in }) throws -> TwinAssimilationOutcome {
        let plan: Plan
        do { plan = try self.plan(request) } catch { try sharing?.announce(nil); throw error }
        let lock = "assimilate:\(plan.digest)"
        guard try database.connection.tryAdvisorySessionLock(named: lock) else {
            try sharing?.announce(nil)
            throw TwinError.invalid("another dtb process is running this assimilation of \(plan.info.twin)@\(plan.info.version); wait for it, or run this command again when it has stopped to resume it")
        }
        defer { try? database.connection.advisorySessionUnlock(named: lock) }
        let store = AssimilationStore(database: database)
        let started = Date()
        let existing: AssimilationStore.Target?
        do { existing = try store.find(digest: plan.digest) } catch { try sharing?.announce(nil); throw error }
        if let existing, existing.status == "ready" {
            try sharing?.announce(nil)
            return try store.outcome(versionID: existing.versionID, action: .unchanged)
        }
        let prepared: Prepared
        do { prepared = try prepare(plan, existing: existing, request: request, store: store, progress: progress) } catch {
            try sharing?.announce(nil)
            throw error
        }
        try sharing?.announce(prepared.setup)
        let setup = prepared.setup, target = prepared.target, engine = prepared.engine
        let fitter = EnsembleFit(setup: setup, engine: engine.network, map: engine.map, excitatory: engine.excitatory,
                                 share: try sharing.map { try $0.share(setup.settings.members) }) {
            try store.recordProgress(target, framesDone: $0)
        }
        let (frames, perFrame) = try fitter.run(progress: progress)
        let wall = Date().timeIntervalSince(started)
        let posterior = try fitter.checkpoints.posterior(digest: setup.digest, members: setup.settings.members)
        try store.finish(target, plan: plan, frames: frames, targets: setup.targets, posterior: posterior, wall: wall,
                         secondsPerFrame: perFrame)
        fitter.checkpoints.removeAll()
        return try store.outcome(versionID: target.versionID, action: existing == nil ? .created : .resumed)
    }

    /// A fit ready for its frame loop: what every process needs, the stored target, the engine.
    struct Prepared {
        var setup: FitSetup
        var target: AssimilationStore.Target
        var engine: FitEngine
    }

    /// The parent's engine (one partition: members are the parallel work), the hyperparameter map
    /// and each population's excitatory flag.
    struct FitEngine {
        var network: Network
        var map: HyperparameterMap
        var excitatory: [Bool]

        /// Read from the setup's files.
        init(_ setup: FitSetup, fit: [HyperparameterKind]) throws {
            let twin = try TwinFiles.read(setup.files.mapValues { URL(fileURLWithPath: $0) })
            network = twin.networkBuilder().build(partitions: 1)
            excitatory = twin.populations.map(\.excitatory)
            map = try HyperparameterMap(populations: UnitPopulations(network: network, excitatory: excitatory), kinds: fit,
                                        units: setup.fitted)
        }
    }

    /// Everything up to the frame loop of an unfinished fit: the stored assimilation found
    /// (`existing`) or created (calibrating the band first) and its targets.
    private func prepare(_ plan: Plan, existing: AssimilationStore.Target?, request: TwinAssimilationRequest, store: AssimilationStore,
                         progress: (String) -> Void) throws -> Prepared {
        progress("loading \(plan.info.twin)@\(plan.info.version) (\(plan.info.neurons) neurons, \(plan.info.synapses) synapses)")
        let files = try TwinRunner(database: database).verifiedFiles(versionID: plan.versionID)
        var setup = FitSetup(files: files.mapValues(\.path), settings: plan.settings, bold: plan.info.bold,
                             repetitionTime: plan.run.repetitionTime, targets: [], fitted: plan.fitted, digest: plan.digest,
                             checkpoint: "", checkpointEvery: request.checkpointEvery, threads: request.threads,
                             warmStartTheta: try plan.settings.warmStart.map { try store.posteriorTheta(versionID: $0) })
        let engine = try FitEngine(setup, fit: request.fit)
        let target: AssimilationStore.Target
        if let existing {
            target = existing
            setup.targets = try self.targets(plan, existing.observation)
            progress("resuming \(plan.info.twin)@\(existing.version) from its checkpoint")
        } else {
            let observation = try calibrate(plan, engine: engine.network, map: engine.map, progress: progress)
            setup.targets = try self.targets(plan, observation)
            target = try store.create(plan, observation: observation, frames: setup.targets.count)
            progress("assimilating into \(plan.info.twin)@\(target.version)")
        }
        setup.checkpoint = database.home.root.appendingPathComponent("checkpoints/assimilation-\(target.versionID).h5").path
        try CheckpointSet(single: URL(fileURLWithPath: setup.checkpoint)).verify(digest: plan.digest, members: plan.settings.members)
        return Prepared(setup: setup, target: target, engine: engine)
    }

    /// Runs the frame loop of another process's plan as one of the processes sharing the
    /// ensemble: no database, no files written; returns when the fit is done, or nil at once
    /// when the recording process announced no fit.
    public static func follow(_ sharing: FitSharing, fit: [HyperparameterKind]) throws -> Int? {
        guard let setup = try sharing.awaitAnnouncement() else { return nil }
        let engine = try FitEngine(setup, fit: fit)
        let fitter = EnsembleFit(setup: setup, engine: engine.network, map: engine.map, excitatory: engine.excitatory,
                                 share: try sharing.share(setup.settings.members), record: nil)
        return try fitter.run { _ in }.frames.count
    }

    /// The settings of the twin's latest finished assimilation; nil when it has none.
    public func latestSettings(twin: String) throws -> AssimilationSettings? {
        try database.connection.query("""
            SELECT a.settings FROM assimilation a JOIN twin_version v ON v.id = a.twin_version_id JOIN twin t ON t.id = v.twin_id
             WHERE t.name = $1 AND v.status = 'ready' ORDER BY v.version DESC LIMIT 1
            """, [twin]).first.map { try $0[0].decode(AssimilationSettings.self) }
    }

    /// The request checked against the version and the run, before anything is written.
    func plan(_ request: TwinAssimilationRequest) throws -> Plan {
        try AssimilationChecks.check(request)
        let queries = TwinQueries(database: database)
        let versionID = try queries.versionID(request.version)
        let info = try queries.info(versionID: versionID)
        guard info.status == "ready" else {
            throw TwinError.invalid("\(info.twin)@\(info.version) is \(info.status == "assimilating" ? "still assimilating (run the command that started it again to finish it)" : "a failed assimilation"); assimilate from a ready version")
        }
        let run = try BOLDRunReader(database: database).read(measure: request.measure, versionID: versionID)
        try AssimilationChecks.check(run: run, request: request, dt: info.parameters.dt)
        let fitted = try AssimilationChecks.units(request.units, of: run.units, twin: info.twin)
        let hyperparameters = try request.fit.map {
            let b = request.bounds[$0] ?? TwinAssimilationRequest.defaultBounds($0)
            return Hyperparameter(kind: $0, bounds: try BoundedParameter(lower: b.lowerBound, upper: b.upperBound))
        }
        let fittedNames = fitted.map { run.units[$0] }
        let warmStart = request.warmStart
            ? try AssimilationStore(database: database).posteriorVersion(of: versionID, members: request.members, units: fittedNames,
                                                                     kinds: request.fit)
            : nil
        let filter = FilterSettings(analysis: try HierarchicalAnalysis(observationVariance: request.observationVariance,
                                                                       localWeight: request.localWeight),
                                    processVariance: request.processVariance, inflation: request.inflation,
                                    warmupSeconds: request.warmupSeconds, seed: request.seed)
        let settings = AssimilationSettings(parent: versionID, measure: request.measure, members: request.members,
                                            hyperparameters: hyperparameters, units: fittedNames, filter: filter,
                                            observation: request.observation, droppedFrames: request.droppedFrames, warmStart: warmStart)
        let digest = SHA256.hex(Array(try PostgresJSON(encoding: settings).text.utf8))
        return Plan(versionID: versionID, info: info, run: run, settings: settings, digest: digest, fitted: fitted)
    }

    /// The observation record, with the band calibrated by short runs at the bounds when the preset maps into one.
    func calibrate(_ plan: Plan, engine: Network, map: HyperparameterMap, progress: (String) -> Void) throws -> ObservationRecord {
        var record = ObservationRecord(preset: plan.settings.observation, droppedFrames: plan.settings.droppedFrames, band: nil,
                                       calibration: nil, task: plan.run.task, events: plan.run.events.isEmpty ? nil : plan.run.events,
                                       repetitionTime: plan.run.repetitionTime)
        guard plan.settings.observation == .zscoreBand else { return record }
        progress("calibrating the BOLD band: two runs of 20 s at the bounds")
        let calibration = try BandCalibration(network: engine, map: map, hyperparameters: plan.settings.hyperparameters,
                                              repetitionTime: plan.run.repetitionTime, bold: plan.info.bold, seed: plan.settings.filter.seed)
        guard let band = calibration.band else {
            throw TwinError.invalid("the twin's BOLD is the same at both bounds (\(calibration.atLower)): widen the bounds, fit another hyperparameter, or use --observation raw")
        }
        progress(String(format: "band [%.4g, %.4g] (%.2f Hz at the lower bounds, %.2f Hz at the upper)", band.lowerBound, band.upperBound,
                        calibration.rateAtLower, calibration.rateAtUpper))
        record.band = band
        record.calibration = calibration
        return record
    }

    /// The filter's targets: the run's fitted units through the observation.
    func targets(_ plan: Plan, _ record: ObservationRecord) throws -> [[Double]] {
        let observation = try Observation(preset: record.preset, droppedFrames: record.droppedFrames, band: record.band)
        let columns = plan.run.series.map { frame in plan.fitted.map { frame[$0] } }
        do { return try observation.prepare(columns) }
        catch { throw TwinError.invalid("measure \(plan.run.measure): \(error)") }
    }
}
