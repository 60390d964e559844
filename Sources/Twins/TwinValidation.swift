import Analyses
import Assimilation
import Foundation

/// What `dtb twin validate` asks for.
public struct TwinValidationRequest: Sendable {
    public var version: TwinReference
    public var measure: Int
    /// Seed of the replay's dynamics; nil: the version's seed.
    public var seed: UInt64?
    /// Frames dropped from the start of both series (the replay's and the scanner's transient).
    public var transientFrames = 5
    /// Largest shift (frames) of the replay searched for the best per-unit r.
    public var maxLag = 3
    public var threads: Int

    public init(version: TwinReference, measure: Int, threads: Int) {
        self.version = version; self.measure = measure; self.threads = threads
    }
}

/// Validation figures of one set of units.
public struct ValidationFigures: Sendable, Codable, Equatable {
    public var units: Int
    /// Mean per-unit BOLD r at the chosen lag, the lag, and each unit's r.
    public var boldR: Double?
    public var lag: Int?
    public var boldRPerUnit: [Double?]
    /// r of the off-diagonal FC entries, relative Frobenius distance, FCD KS distance.
    public var fcSimilarity: Double?
    public var fcDistance: Double?
    public var fcdKS: Double?
}

/// What a reader needs to judge the figures: how far the structure alone explains the data's FC,
/// and how the built, unfitted twin did on the same run.
public struct ValidationBaselines: Sendable, Codable, Equatable {
    public var empiricalFCStructure: Double?
    public var empiricalFCLogStructure: Double?
    /// The build ancestor's latest validation on this measure, if it has one.
    public var builtVersion: Int?
    public var builtBoldR: Double?
    public var builtFCSimilarity: Double?
}

/// A stored validation (a row of `validation`).
public struct TwinValidationReport: Sendable, Codable, Equatable {
    public var validation: Int
    public var twin: String
    public var version: Int
    public var measure: Int
    /// built, fitted (in sample) or mean (another run).
    public var replay: String
    public var inSample: Bool
    public var observationPreset: String
    public var seed: UInt64
    public var frames: Int
    public var all: ValidationFigures
    public var assimilated: ValidationFigures?
    public var other: ValidationFigures?
    public var baselines: ValidationBaselines
    public var wallSeconds: Double
    public var createdAt: String
}

/// The metrics of design note §5 for a replayed series against an observed one (frames × units).
enum ValidationMetrics {
    static func figures(simulated: [[Double]], observed: [[Double]], units: [Int], transient: Int, maxLag: Int,
                        repetitionTime: Double) -> ValidationFigures {
        let sim = simulated.map { f in units.map { f[$0] } }, obs = observed.map { f in units.map { f[$0] } }
        let lagged = LaggedCorrelation(simulated: sim, observed: obs, transient: transient, maxLag: maxLag)
        let keptSim = Array(sim.dropFirst(transient)), keptObs = Array(obs.dropFirst(transient))
        var fcSimilarity: Double?, fcDistance: Double?, ks: Double?
        if units.count >= 3, keptObs.count >= 3 {
            let empirical = FunctionalConnectivity(keptObs), model = FunctionalConnectivity(keptSim)
            fcSimilarity = model.similarity(to: empirical)
            fcDistance = model.relativeDistance(from: empirical)
            // cuBNM's windows: 30 s, step 5 s (at least 3 frames and 1 frame).
            // Frames in `seconds`, bounded so that no repetition time can trap the conversion.
            func frames(_ seconds: Double) -> Int { repetitionTime > 0 ? Int(min(seconds / repetitionTime, 1e6).rounded()) : 0 }
            let window = max(3, frames(30)), step = max(1, frames(5))
            if let a = FunctionalConnectivityDynamics(keptSim, window: window, step: step),
               let b = FunctionalConnectivityDynamics(keptObs, window: window, step: step) {
                ks = a.ksDistance(to: b)
            }
        }
        return ValidationFigures(units: units.count, boldR: lagged?.mean, lag: lagged?.lag, boldRPerUnit: lagged?.perUnit ?? [],
                                 fcSimilarity: fcSimilarity, fcDistance: fcDistance, fcdKS: ks)
    }
}
