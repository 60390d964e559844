import Analyses
import Assimilation
import Foundation
import Postgres
import SpikingEngine
import Store

/// Validates any ready version against any stored BOLD run of its subject, without re-fitting,
/// and stores the figures as a `validation` row.
///
/// The replay is one simulation of the version's network at the run's TR: a built version runs as
/// built; an assimilated version replays its fitted h(t) frame by frame on the run it was fitted
/// to, and its time-averaged h on any other run (spontaneous activity of another session is not
/// time-locked to the fit, so only its FC and FCD can be compared there).
public struct TwinValidator {
    public let database: Database
    public init(database: Database) { self.database = database }

    public func validate(_ request: TwinValidationRequest, progress: (String) -> Void = { _ in }) throws -> TwinValidationReport {
        try RunLimits.checkThreads(request.threads)
        guard (0...1000).contains(request.transientFrames), (0...20).contains(request.maxLag) else {
            throw TwinError.invalid("--transient \(request.transientFrames) / --max-lag \(request.maxLag): give 0–1000 frames and a lag of 0–20 frames")
        }
        let queries = TwinQueries(database: database)
        let versionID = try queries.versionID(request.version)
        let info = try queries.info(versionID: versionID)
        guard info.status == "ready" else {
            throw TwinError.invalid("\(info.twin)@\(info.version) is \(info.status); only a ready version can be validated")
        }
        let run = try BOLDRunReader(database: database).read(measure: request.measure, versionID: versionID)
        let dt = info.parameters.dt
        try RunLimits.checkTiming(seconds: Double(run.series.count) * run.repetitionTime, repetitionTime: run.repetitionTime,
                                  source: "measure \(run.measure)'s TR", dt: dt, bold: info.bold)
        guard run.series.count - request.transientFrames - request.maxLag >= 3 else {
            throw TwinError.invalid("measure \(run.measure) has \(run.series.count) frames: too few for a transient of \(request.transientFrames) and lags up to \(request.maxLag)")
        }
        let store = AssimilationStore(database: database)
        let record = try store.record(versionID: versionID)
        // Every frame of the run: the metrics are invariant to each unit's offset and scale, so
        // the fit's band mapping is not needed.
        let observed = run.series
        let plan = try replayPlan(versionID: versionID, record: record, run: run, frames: observed.count)
        let started = Date()
        let warmup = record?.settings.filter.warmupSeconds ?? 10, seed = request.seed ?? info.seed
        let key = ReplayCache.Key(networkDigest: info.networkDigest, bold: info.bold, kinds: plan.kinds.map(\.rawValue), fitted: plan.fitted,
                                  h: plan.h, seed: seed, repetitionTime: run.repetitionTime, warmupSeconds: warmup)
        let replaying = "\(info.twin)@\(info.version) (\(plan.kind)) for \(observed.count) frames of \(run.repetitionTime) s"
        var simulatedHere = false
        let simulated = try ReplayCache.shared.bold(key) {
            progress("replaying \(replaying)")
            simulatedHere = true
            let network = try TwinRunner(database: database).network(versionID: versionID)
            let engine = network.networkBuilder().build(partitions: request.threads)
            let map = try HyperparameterMap(populations: UnitPopulations(network: engine, excitatory: network.populations.map(\.excitatory)),
                                            kinds: plan.kinds, units: plan.fitted)
            return try Replay(network: engine, map: map, repetitionTime: run.repetitionTime, warmupSeconds: warmup, bold: info.bold)
                .run(plan.h, seed: seed)
        }
        if !simulatedHere { progress("the replay of \(replaying) was simulated for an earlier validation in this process") }
        let units = Array(observed[0].indices)
        func figures(_ subset: [Int]) -> ValidationFigures {
            ValidationMetrics.figures(simulated: simulated, observed: observed, units: subset, transient: request.transientFrames,
                                      maxLag: request.maxLag, repetitionTime: run.repetitionTime)
        }
        let all = figures(units)
        let fittedSet = Set(plan.fitted)
        let assimilated = record == nil ? nil : figures(units.filter { fittedSet.contains($0) })
        let other = record == nil || fittedSet.count == units.count ? nil : figures(units.filter { !fittedSet.contains($0) })
        let baselines = try self.baselines(versionID: versionID, run: run, transient: request.transientFrames)
        let preset = "drop \(request.transientFrames) frames" + (record.map { " (fit: \($0.observation.preset.rawValue))" } ?? "")
        let stored = StoredValidation(versionID: versionID, measure: run.measure, replay: plan.kind, inSample: plan.inSample, preset: preset,
                                      seed: seed, frames: observed.count, all: all, assimilated: assimilated,
                                      other: other, baselines: baselines, wall: Date().timeIntervalSince(started))
        return try ValidationStore(database: database).insert(stored, twin: info.twin, version: info.version)
    }

    /// What is replayed: the kinds and units of the fit, and h per frame.
    struct ReplayPlan {
        var kind: String
        var inSample: Bool
        var kinds: [HyperparameterKind]
        var fitted: [Int]
        var h: [[Double]]
    }

    func replayPlan(versionID: Int, record: AssimilationRecord?, run: BOLDRun, frames: Int) throws -> ReplayPlan {
        guard let record else { return ReplayPlan(kind: "built", inSample: false, kinds: [], fitted: [], h: Array(repeating: [], count: frames)) }
        let index = Dictionary(uniqueKeysWithValues: run.units.enumerated().map { ($1, $0) })
        let fitted = record.settings.units.compactMap { index[$0] }
        let fittedFrames = try AssimilationStore(database: database).fittedFrames(versionID: versionID)
        let kinds = record.settings.hyperparameters.map(\.kind)
        if record.settings.measure == run.measure {
            // The fit covers the frames left after its dropped ones; the dropped frames replay its first values.
            let h = Array(repeating: fittedFrames[0].mean, count: record.observation.droppedFrames) + fittedFrames.map(\.mean)
            return ReplayPlan(kind: "fitted", inSample: true, kinds: kinds, fitted: fitted, h: Array(h.prefix(frames)))
        }
        let width = fittedFrames[0].mean.count
        let mean = (0..<width).map { j in fittedFrames.reduce(0) { $0 + $1.mean[j] } / Double(fittedFrames.count) }
        return ReplayPlan(kind: "mean", inSample: false, kinds: kinds, fitted: fitted, h: Array(repeating: mean, count: frames))
    }

    /// The empirical FC against the structural connectivity, and the build ancestor's figures on this run.
    func baselines(versionID: Int, run: BOLDRun, transient: Int) throws -> ValidationBaselines {
        let fc = FunctionalConnectivity(Array(run.series.dropFirst(transient)))
        let sc = try TwinInputReader(database: database).structure(versionID: versionID, labels: run.labels)
        let (raw, log) = sc.map { fc.structuralCorrelation($0) } ?? (nil, nil)
        let built = try ValidationStore(database: database).buildAncestorFigures(versionID: versionID, measure: run.measure)
        return ValidationBaselines(empiricalFCStructure: raw, empiricalFCLogStructure: log, builtVersion: built?.version,
                                   builtBoldR: built?.boldR, builtFCSimilarity: built?.fcSimilarity)
    }
}
