import Analyses
import Assimilation
import Foundation
import HDF5Kit
import Interventions
import Postgres
import SpikingEngine
import Store
import TwinBuilder
import Twins

/// What every run of one study shares: the twin's network, its units' centroids, the replayed
/// fit, the empirical FC and the run plan.
struct RunContext {
    let database: Database
    let study: StudyRecord
    let twin: TwinNetwork
    let centroids: [[Double]]
    let plan: RunPlan
    let empiricalFC: FunctionalConnectivity?
    /// The fitted run itself when the arms replay its h(t): frame t of a run is time-locked to its
    /// frame t, so each unit's BOLD r with it is an outcome.
    let lockedSeries: [[Double]]?
    let threads: Int

    init(database: Database, study: StudyRecord, threads: Int) throws {
        self.database = database; self.study = study; self.threads = threads
        let inputs = StudyInputs(database: database)
        let (_, info) = try inputs.version(TwinReference(twin: study.twin, version: study.version))
        twin = try inputs.network(versionID: study.versionID)
        centroids = try Self.centroids(database.connection, versionID: study.versionID, units: twin.unitNames)
        let s = study.settings
        var replay: ReplaySchedule?
        let fit = s.replay == "fitted" ? try inputs.fittedReplay(versionID: study.versionID) : nil
        if let fit {
            let engine = twin.networkBuilder().build(partitions: 1)
            let map = try HyperparameterMap(populations: UnitPopulations(network: engine, excitatory: twin.populations.map(\.excitatory)),
                                            kinds: fit.kinds, units: fit.units)
            replay = ReplaySchedule(map: map, h: fit.h)
        }
        plan = RunPlan(warmup: s.warmupSeconds, seconds: s.seconds, repetitionTime: s.repetitionTime, binMilliseconds: s.binMilliseconds,
                       bold: info.bold, replay: replay, populationActivity: s.populationActivity ?? false)
        let empirical = try s.measure.map { try inputs.empiricalRun(measure: $0, versionID: study.versionID) }
        // The scanner's first frames carry its own start-up transient, as the validation drops.
        empiricalFC = empirical.map { FunctionalConnectivity(Array($0.series.dropFirst(Self.transient($0.series.count)))) }
        lockedSeries = fit != nil && fit?.measure == s.measure ? empirical?.series : nil
    }

    /// Frames left out at the start of a comparison with data: a quarter of them, at most 5.
    static func transient(_ frames: Int) -> Int { min(5, frames / 4) }

    /// MNI centroids of the twin's units (region twins: their regions'; zeros for units without one).
    static func centroids(_ connection: PostgresConnection, versionID: Int, units: [String]) throws -> [[Double]] {
        let rows = try connection.query("""
            SELECT r.name, r.centroid_mni FROM twin_version v JOIN twin t ON t.id = v.twin_id JOIN region r ON r.atlas_id = t.atlas_id
             WHERE v.id = $1
            """, [versionID])
        let byName = Dictionary(rows.map { ($0[0].string!, $0[1].string!) }, uniquingKeysWith: { a, _ in a })
        return units.map { name in
            guard let text = byName[name] else { return [0, 0, 0] }
            return text.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap { Double($0) }
        }
    }

    func network(_ arm: StudyArm, seed: Int) throws -> (network: Network, silenced: [PopulationID]) {
        do {
            return try Treatment(arm.interventions).network(of: twin, centroids: centroids, seed: UInt64(seed), warmup: plan.warmup,
                                                            seconds: plan.seconds, partitions: threads)
        } catch { throw StudyError.invalid("arm \(arm.arm) (\(arm.label)): \(error)") }
    }

    func simulate(_ built: (network: Network, silenced: [PopulationID]), seed: Int) throws -> TreatedRunResult {
        do { return try plan.run(built.network, silenced: built.silenced, seed: UInt64(seed)) }
        catch { throw StudyError.invalid("\(error)") }
    }

    /// Writes the run's file and row.
    func store(_ result: TreatedRunResult, arm: StudyArm, seed: Int, wall: Double, into store: StudyStore) throws {
        let fc = FunctionalConnectivity(result.bold)
        let similarity = empiricalFC.flatMap { fc.similarity(to: $0) }
        var outcomes = StudyOutcomes.perUnit(result, units: twin.unitNames.count, binMilliseconds: plan.binMilliseconds,
                                             frequencies: study.settings.psdFrequencies)
        if let lockedSeries { outcomes["bold_r"] = StudyOutcomes.boldR(result.bold, lockedSeries, transient: Self.transient(result.bold.count)) }
        let staged = try database.files.stage(kind: "studies", extension: "h5") { url in
            let file = try HDF5File.create(path: url.path, trackTimes: false)
            defer { file.close() }
            let units = twin.unitNames.count
            try file.write("/bold", result.bold.flatMap { $0 }, shape: [result.bold.count, units])
            try file.write("/fc", fc.matrix, shape: [units, units])
            try file.write("/activity", result.activity, shape: [result.bins, units], gzipLevel: 4)
            try file.writeStrings("/units", twin.unitNames)
            if !result.populationActivity.isEmpty {
                try file.write("/population_activity", result.populationActivity, shape: [result.bins, twin.populations.count], gzipLevel: 4)
                try file.writeStrings("/populations", twin.populations.map { "\(twin.unitNames[$0.unit]).\($0.name)" })
            }
            for (name, values) in outcomes.sorted(by: { $0.key < $1.key }) { try file.write("/outcome/\(name)", values, shape: [units]) }
            try file.setAttribute("study", study.name)
            try file.setAttribute("arm", Int64(arm.arm))
            try file.setAttribute("seed", Int64(seed))
            try file.setAttribute("bin_ms", plan.binMilliseconds)
            try file.setAttribute("code_version", ProjectResources.codeVersion)
        }
        let neurons = twin.neuronCount
        try store.insertRun(armID: arm.id, seed: seed, staged: staged, spikes: result.spikes,
                            meanRate: Double(result.spikes) / Double(neurons) / plan.seconds,
                            fcSimilarity: similarity.map { min(1, max(-1, $0)) }, wall: wall)
    }
}

/// The per-unit outcomes of a run: its firing rates and, per stimulation frequency, the log10
/// power of its activity there.
enum StudyOutcomes {
    static func perUnit(_ result: TreatedRunResult, units: Int, binMilliseconds: Double, frequencies: [Double]) -> [String: [Double]] {
        var outcomes = ["rate_hz": result.unitRates]
        guard !frequencies.isEmpty, result.bins >= 16 else { return outcomes }
        let rate = 1000 / binMilliseconds
        let spectra = (0..<units).map { u in
            WelchSpectrum((0..<result.bins).map { Double(result.activity[$0 * units + u]) }, samplingRate: rate)
        }
        for f in frequencies {
            outcomes[name(f)] = spectra.map { spectrum in
                guard let s = spectrum, let k = s.frequencies.indices.min(by: { abs(s.frequencies[$0] - f) < abs(s.frequencies[$1] - f) }) else { return -30 }
                return log10(max(s.density[k], 1e-30))
            }
        }
        return outcomes
    }

    /// Per unit, Pearson r of the run's BOLD with the data frame by frame after `transient` frames
    /// (NaN where a series is constant).
    static func boldR(_ simulated: [[Double]], _ observed: [[Double]], transient: Int) -> [Double] {
        let frames = transient..<min(simulated.count, observed.count)
        return (0..<(simulated.first?.count ?? 0)).map { u in
            pearson(frames.map { simulated[$0][u] }, frames.map { observed[$0][u] }) ?? .nan
        }
    }

    /// `psd_125hz` for 125 Hz (`psd_20.5hz` for a fraction).
    static func name(_ f: Double) -> String { "psd_" + String(format: "%g", f) + "hz" }
}
