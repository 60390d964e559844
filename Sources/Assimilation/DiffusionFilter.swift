import Hemodynamics
import SpikingEngine

/// The settings of a diffusion-EnKF assimilation (design note §4), all recorded with the fit.
public struct FilterSettings: Sendable, Codable, Equatable {
    /// Variance Q of the random walk θ ← θ + √Q·η applied before every frame (DTB: 0.01–1).
    public var processVariance: Double = 0.1
    /// The hierarchical analysis (R, ρ).
    public var analysis: HierarchicalAnalysis
    /// Multiplicative inflation of the θ anomalies after each analysis (1: none, as DTB).
    public var inflation: Double = 1
    /// Biological time (s) simulated with the initial hyperparameters before the first frame.
    public var warmupSeconds: Double = 10
    /// Seed of the filter's draws (initial ensemble, random walk, observation perturbations).
    public var seed: UInt64 = 1

    public init(analysis: HierarchicalAnalysis, processVariance: Double = 0.1, inflation: Double = 1,
                warmupSeconds: Double = 10, seed: UInt64 = 1) {
        self.analysis = analysis; self.processVariance = processVariance; self.inflation = inflation
        self.warmupSeconds = warmupSeconds; self.seed = seed
    }

    /// Throws unless Q ≥ 0, inflation ≥ 1 and the warm-up ≥ 0, all finite.
    public func validate() throws {
        guard processVariance.isFinite, processVariance >= 0 else {
            throw AssimilationError.invalid("process variance \(processVariance) must be 0 or more")
        }
        guard inflation.isFinite, inflation >= 1 else { throw AssimilationError.invalid("inflation \(inflation) must be 1 or more") }
        guard warmupSeconds.isFinite, warmupSeconds >= 0 else {
            throw AssimilationError.invalid("warm-up \(warmupSeconds) s must be 0 or more")
        }
    }
}

/// What one frame of an assimilation gave.
public struct AssimilationFrame: Sendable, Codable, Equatable {
    /// Per fitted unit and hyperparameter (unit-major), the ensemble mean and standard deviation
    /// of h after the analysis.
    public var mean: [Double]
    public var spread: [Double]
    /// Per fitted unit, the ensemble-mean predicted BOLD before the analysis (the filter's forecast).
    public var forecast: [Double]
    /// Per fitted unit, the ensemble-mean BOLD of the analysed balloon states (how closely the
    /// filter tracks the data; with a small R it is nearly the observation).
    public var analysis: [Double]

    public init(mean: [Double], spread: [Double], forecast: [Double], analysis: [Double]) {
        self.mean = mean; self.spread = spread; self.forecast = forecast; self.analysis = analysis
    }
}

/// Fits a twin's hyperparameters to a BOLD series frame by frame: random-walk diffusion of θ, one
/// TR of every member, then the hierarchical EnKF analysis of [θ, s, f, v, q] from each fitted
/// unit's BOLD, the members' balloon states overwritten by the analysis (floored). Units not
/// fitted run free with their built values.
public final class DiffusionFilter {
    public let ensemble: MemberEnsemble
    public let hyperparameters: [Hyperparameter]
    public let settings: FilterSettings
    /// θ per member, fitted unit and hyperparameter (member-major, then unit-major).
    public private(set) var theta: [Double]
    /// Frames analysed so far.
    public private(set) var frame = 0
    private let stepsPerFrame: Int
    /// Largest |θ| kept (h is within 1e-40 of a bound from |θ| ≈ 10·92 on, with c = 10).
    static let thetaLimit = 1000.0
    /// Largest |s|, f, v, q kept (rest is 0, 1, 1, 1; physiological excursions stay within a few).
    static let balloonLimit = 100.0
    /// Fitted units (network unit indices), and their count.
    private let fitted: [Int]
    private var units: Int { fitted.count }

    /// Draws the initial ensemble (θ uniform over each bound's middle third, or `initialTheta`:
    /// a warm start from an earlier posterior), sets it and runs the warm-up — or, given a
    /// checkpoint of this fit, continues from it instead.
    public init(ensemble: MemberEnsemble, hyperparameters: [Hyperparameter], settings: FilterSettings,
                initialTheta: [Double]? = nil, resumingFrom checkpoint: FilterCheckpoint? = nil) throws {
        try settings.validate()
        guard hyperparameters.map(\.kind) == ensemble.kinds else {
            throw AssimilationError.invalid("the hyperparameters must be the ensemble's kinds, in order")
        }
        self.ensemble = ensemble; self.hyperparameters = hyperparameters; self.settings = settings
        fitted = ensemble.units
        let dt = ensemble.network.dt
        stepsPerFrame = Int((ensemble.bold[0].sampler.repetitionTime * 1000 / dt).rounded())
        theta = [Double](repeating: 0, count: ensemble.members.count * fitted.count * hyperparameters.count)
        if let checkpoint {
            try resume(checkpoint)
            return
        }
        if let initialTheta {
            guard initialTheta.count == theta.count, initialTheta.allSatisfy(\.isFinite) else {
                throw AssimilationError.invalid("the warm start's ensemble has another shape (members, units or hyperparameters differ)")
            }
            theta = initialTheta
        } else {
            drawInitialTheta()
        }
        applyTheta()
        ensemble.advance(steps: Int((settings.warmupSeconds * 1000 / dt).rounded()))
    }

    private func drawInitialTheta() {
        let k = hyperparameters.count
        for m in 0..<ensemble.members.count {
            for i in 0..<units {
                var draws = RandomSequence(seed: settings.seed, stream: .filter, item: 0, salt: UInt32(m * units + i))
                for (j, h) in hyperparameters.enumerated() {
                    let third = h.bounds.middleThird
                    theta[(m * units + i) * k + j] = h.bounds.logit(third.lowerBound + (third.upperBound - third.lowerBound) * draws.unit())
                }
            }
        }
    }

    /// Assimilates one observed frame: one BOLD value per fitted unit (in the order of `ensemble.units`).
    public func assimilate(_ observed: [Double]) -> AssimilationFrame {
        frame += 1
        diffuse()
        applyTheta()
        ensemble.advance(steps: stepsPerFrame)
        let members = ensemble.members.count, k = hyperparameters.count
        let latest = (0..<members).map { ensemble.latestBOLD(member: $0) }
        let predicted = fitted.map { u in (0..<members).map { latest[$0][u] } }
        var states = (0..<units).map { i in
            Ensemble(dimension: k + 4, members: members, values: (0..<members).flatMap { m -> [Double] in
                let b = ensemble.bold[m].sampler.model[fitted[i]]
                return Array(theta[((m * units + i) * k)..<((m * units + i + 1) * k)]) + [b.s, b.f, b.v, b.q]
            })
        }
        let perturbations = (0..<units).map { i in
            (0..<members).map { m -> Double in
                var r = RandomSequence(seed: settings.seed, stream: .filter, item: UInt32(2 * frame + 1), salt: UInt32(m * units + i))
                return r.normal()
            }
        }
        settings.analysis.analyse(units: &states, predicted: predicted, observed: observed, perturbations: perturbations)
        write(states)
        inflate()
        applyTheta()
        let analysed = (0..<members).map { ensemble.bold[$0].sampler.model.bold }
        return summary(forecast: predicted.map { $0.reduce(0, +) / Double(members) },
                       analysis: fitted.map { u in analysed.reduce(0) { $0 + $1[u] } / Double(members) })
    }

    /// θ and this process's members back. The other processes' members need no state here: the
    /// first advance brings their BOLD states before anything reads them.
    private func resume(_ c: FilterCheckpoint) throws {
        guard c.theta.count == theta.count, c.memberRange == ensemble.local, c.bold.count == c.members.count, c.frame >= 0 else {
            throw AssimilationError.invalid("the checkpoint is of another ensemble (members, units or hyperparameters differ)")
        }
        theta = c.theta
        frame = c.frame
        for (i, m) in c.memberRange.enumerated() {
            try ensemble.members[m].restore(c.members[i])
            try ensemble.bold[m].sampler.restore(c.bold[i])
        }
    }

    /// h of member m, the i-th fitted unit, hyperparameter j now.
    public func value(member m: Int, unit i: Int, _ j: Int) -> Double {
        hyperparameters[j].bounds.value(theta[(m * units + i) * hyperparameters.count + j])
    }

    private func diffuse() {
        guard settings.processVariance > 0 else { return }
        let k = hyperparameters.count, scale = settings.processVariance.squareRoot()
        for m in 0..<ensemble.members.count {
            for i in 0..<units {
                var r = RandomSequence(seed: settings.seed, stream: .filter, item: UInt32(2 * frame), salt: UInt32(m * units + i))
                for j in 0..<k { theta[(m * units + i) * k + j] += scale * r.normal() }
            }
        }
    }

    private func applyTheta() {
        let k = hyperparameters.count
        for m in 0..<ensemble.members.count {
            ensemble.set(member: m, (0..<(units * k)).map { value(member: m, unit: $0 / k, $0 % k) })
        }
    }

    /// θ and the balloon states back from the analysed ensembles (f, v, q floored at 1e-5).
    ///
    /// An innovation far outside the ensemble's spread (data the model cannot produce) can throw
    /// a member's state arbitrarily far; θ is kept within ±``thetaLimit`` (h is at its bound long
    /// before) and s, f, v, q within ±``balloonLimit``, so that the next TR's integration stays finite.
    private func write(_ states: [Ensemble]) {
        let k = hyperparameters.count
        func bounded(_ x: Double, _ limit: Double) -> Double { x.isNaN ? 0 : min(max(x, -limit), limit) }
        for m in 0..<ensemble.members.count {
            for i in 0..<units {
                for j in 0..<k { theta[(m * units + i) * k + j] = bounded(states[i][member: m, j], Self.thetaLimit) }
                let limit = Self.balloonLimit
                let b = BalloonState(s: bounded(states[i][member: m, k], limit), f: bounded(states[i][member: m, k + 1], limit),
                                     v: bounded(states[i][member: m, k + 2], limit), q: bounded(states[i][member: m, k + 3], limit))
                ensemble.bold[m].sampler.model.setState(b, unit: fitted[i])
            }
        }
    }

    /// θ ← mean + λ(θ − mean) per unit and hyperparameter.
    private func inflate() {
        guard settings.inflation != 1 else { return }
        let members = ensemble.members.count, k = hyperparameters.count
        for j in 0..<(units * k) {
            let mean = (0..<members).reduce(0) { $0 + theta[$1 * units * k + j] } / Double(members)
            for m in 0..<members { theta[m * units * k + j] = mean + settings.inflation * (theta[m * units * k + j] - mean) }
        }
    }

    private func summary(forecast: [Double], analysis: [Double]) -> AssimilationFrame {
        let members = ensemble.members.count, k = hyperparameters.count
        var mean = [Double](repeating: 0, count: units * k), spread = mean
        for j in 0..<(units * k) {
            let values = (0..<members).map { value(member: $0, unit: j / k, j % k) }
            let mu = values.reduce(0, +) / Double(members)
            mean[j] = mu
            spread[j] = (values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(members - 1)).squareRoot()
        }
        return AssimilationFrame(mean: mean, spread: spread, forecast: forecast, analysis: analysis)
    }
}
