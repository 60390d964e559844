import Analyses
import Assimilation
import Foundation
import HDF5Kit
import Interventions
import SpikingEngine
import Store
import TwinBuilder
import Twins

/// Creates, runs and resumes studies. Each run (an arm's seed) is stored in its own transaction
/// as it finishes, so an interrupted study resumes with the runs it lacks; the effects and the
/// `complete` status are written together once every run is there.
public struct StudyRunner {
    public let database: Database
    public init(database: Database) { self.database = database }

    /// Creates the study (or finds the same one again) and, unless `queueOnly`, runs what it lacks.
    /// A study of that name with other settings is an error; nothing is stored for a bad request.
    @discardableResult
    public func create(_ request: StudyRequest, queueOnly: Bool = false, progress: (String) -> Void = { _ in }) throws -> StudyReport {
        let plan = try StudyPlanner(database: database).plan(request)
        let store = StudyStore(database: database)
        if let existing = try store.study(named: request.name) {
            guard existing.versionID == plan.versionID, existing.settings == plan.settings else {
                throw StudyError.invalid("study \(request.name) already exists with other settings (`dtb study show \(request.name)`); choose another name")
            }
            progress("study \(request.name) exists: resuming")
        } else {
            try store.create(name: request.name, versionID: plan.versionID, settings: plan.settings, arms: plan.arms)
        }
        if queueOnly { return try report(request.name) }
        return try run(request.name, threads: request.threads, progress: progress)
    }

    /// Runs the runs a study lacks (only `part`'s, when one is given), then, once every run is
    /// stored (by this process or by any other working on the study), stores its effects and
    /// completes it. Several processes may run parts of one study at once: a run stored twice is
    /// kept once, and one of them completes the study.
    @discardableResult
    public func run(_ name: String, part: StudyPart? = nil, threads: Int = defaultThreadCount,
                    progress: (String) -> Void = { _ in }) throws -> StudyReport {
        let store = StudyStore(database: database)
        guard let study = try store.study(named: name) else { throw StudyError.notFound("study \(name) does not exist (`dtb study list`)") }
        if let part { try part.check(in: study) }
        if study.status == "complete" { return try report(name) }
        let context = try RunContext(database: database, study: study, threads: threads)
        let done = Set(try store.runs(studyID: study.id).map { StudyPart(arm: $0.arm, seed: $0.seed) })
        let total = study.arms.count * study.settings.seeds.count
        var finished = done.count
        for arm in study.arms where part == nil || part?.arm == arm.arm {
            var cached: (network: Network, silenced: [PopulationID])?
            for seed in study.settings.seeds where !done.contains(StudyPart(arm: arm.arm, seed: seed)) && (part == nil || part?.seed == seed) {
                progress("run \(finished + 1) of \(total): arm \(arm.arm) (\(arm.label)), seed \(seed)")
                let started = Date()
                let built = try cached ?? context.network(arm, seed: seed)
                if !arm.interventions.contains(where: { if case .rewire = $0 { return true } else { return false } }) { cached = built }
                let result = try context.simulate(built, seed: seed)
                try context.store(result, arm: arm, seed: seed, wall: Date().timeIntervalSince(started), into: store)
                finished += 1
                CrashPoint.stallAfterStudyRun(finished)
            }
        }
        try completeWhenReady(study, store: store, progress: progress)
        return try report(name)
    }

    /// Stores the effects and completes the study when all its runs are there; otherwise other
    /// parts are still running elsewhere and the last of them completes it.
    private func completeWhenReady(_ study: StudyRecord, store: StudyStore, progress: (String) -> Void) throws {
        let runs = try store.runs(studyID: study.id)
        let total = study.arms.count * study.settings.seeds.count
        guard runs.count == total else {
            progress("study \(study.name): \(runs.count) of \(total) runs stored; the others run elsewhere")
            return
        }
        let effects = try StudyEffects(study: study, runs: runs, files: database.files).compute()
        if try store.complete(study, effects: effects, regionIDs: try store.regionIDs(versionID: study.versionID)) {
            progress("study \(study.name) complete: \(runs.count) runs, \(effects.count) effects")
        }
    }

    /// Every study, newest first.
    public func list() throws -> [StudyListing] { try StudyStore(database: database).studies() }

    /// The study's arms, runs and effects (largest first), and the sweep's trend.
    public func report(_ name: String) throws -> StudyReport {
        let store = StudyStore(database: database)
        guard let study = try store.study(named: name) else { throw StudyError.notFound("study \(name) does not exist (`dtb study list`)") }
        let runs = try store.runs(studyID: study.id)
        let arms = study.arms.map { arm -> StudyReport.Arm in
            let mine = runs.filter { $0.arm == arm.arm }
            let similarity = mine.compactMap(\.fcSimilarity)
            // A one-sample t interval: the similarities paired against zero.
            let interval = similarity.count > 1 ? PairedComparison(control: similarity.map { _ in 0 }, treated: similarity) : nil
            return StudyReport.Arm(arm: arm.arm, label: arm.label, sweepValue: arm.sweepValue, interventions: arm.interventions, runs: mine.count,
                                   meanRateHz: mine.isEmpty ? nil : mine.reduce(0) { $0 + $1.meanRateHz } / Double(mine.count),
                                   fcSimilarity: similarity.isEmpty ? nil : similarity.reduce(0, +) / Double(similarity.count),
                                   fcSimilarityLower: interval?.lower, fcSimilarityUpper: interval?.upper)
        }
        let effects = try store.effects(studyID: study.id).sorted(by: Self.larger)
        return StudyReport(study: study.name, twin: "\(study.twin)@\(study.version)", status: study.status, createdAt: study.createdAt,
                           settings: study.settings, arms: arms, runs: runs, effects: effects, trend: Self.trend(study, runs: runs))
    }

    /// Larger |d_z| first (effects without one after), then larger |difference|, then by name.
    static func larger(_ a: StudyEffect, _ b: StudyEffect) -> Bool {
        let da = a.effectSize.map(abs) ?? -1, db = b.effectSize.map(abs) ?? -1
        if da != db { return da > db }
        if abs(a.difference) != abs(b.difference) { return abs(a.difference) > abs(b.difference) }
        return (a.arm, a.outcome, a.unit) < (b.arm, b.outcome, b.unit)
    }

    /// Least-squares slope of FC similarity on the swept value over the treated arms' runs.
    static func trend(_ study: StudyRecord, runs: [StudyRunRecord]) -> SweepTrend? {
        guard let key = study.settings.sweep?.key else { return nil }
        let value = Dictionary(uniqueKeysWithValues: study.arms.map { ($0.arm, $0.sweepValue) })
        let points = runs.compactMap { r -> (Double, Double)? in
            guard r.arm > 0, let x = value[r.arm] ?? nil, let y = r.fcSimilarity else { return nil }
            return (x, y)
        }
        let n = Double(points.count)
        guard points.count >= 3 else { return nil }
        let mx = points.reduce(0) { $0 + $1.0 } / n, my = points.reduce(0) { $0 + $1.1 } / n
        let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        guard sxx > 0 else { return nil }
        let slope = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
        let residual = points.reduce(0) { $0 + pow($1.1 - my - slope * ($1.0 - mx), 2) }
        let se = (residual / (n - 2) / sxx).squareRoot()
        let p = se > 0 ? Distributions.studentTwoSided(slope / se, degreesOfFreedom: n - 2) : (slope == 0 ? 1 : 0)
        return SweepTrend(key: key, slope: slope, standardError: se, p: p, runs: points.count)
    }
}

extension StudyRunner {
    /// Per arm, the FC matrix (units × units) averaged over its runs, with the unit names.
    public func meanFC(_ name: String) throws -> (units: [String], arms: [Int: [[Double]]]) {
        let store = StudyStore(database: database)
        guard let study = try store.study(named: name) else { throw StudyError.notFound("study \(name) does not exist (`dtb study list`)") }
        var sums: [Int: [Double]] = [:], counts: [Int: Int] = [:]
        var units: [String] = []
        for run in try store.runs(studyID: study.id) {
            let file = try run.open(in: database.files)
            defer { file.close() }
            units = try file.readStrings("/units")
            let fc = try file.dataset("/fc").read(Double.self)
            sums[run.arm] = zip(sums[run.arm] ?? [Double](repeating: 0, count: fc.count), fc).map { $0 + ($1.isFinite ? $1 : 0) }
            counts[run.arm, default: 0] += 1
        }
        let n = units.count
        return (units, sums.reduce(into: [:]) { out, entry in
            out[entry.key] = (0..<n).map { i in (0..<n).map { j in entry.value[i * n + j] / Double(counts[entry.key]!) } }
        })
    }
}
