import Assimilation
import Foundation
import Primitives
import Testing

/// Standard normal deviates from a seeded SplitMix64 stream, for the tests' draws.
struct Normals {
    var generator: SplitMix64
    init(state: UInt64) { generator = SplitMix64(state: state) }
    mutating func next() -> Double { generator.normal() }
}

@Suite("Ensemble Kalman filter")
struct FilterTests {
    /// On a linear-Gaussian model the analysed ensemble's mean and covariance equal the Kalman
    /// filter's posterior within sampling error: prior N(μ, P), y = Hx + e, e ~ N(0, R).
    @Test func analysisEqualsTheKalmanFilterOnALinearGaussianModel() {
        let members = 40_000
        let mu = [1.0, -0.5], p = [0.8, 0.3, 0.3, 0.5], h = [1.0, 0.5], r = 0.3, y = 1.2
        // Prior draws x = μ + L z with L the Cholesky factor of P.
        let l11 = p[0].squareRoot(), l21 = p[2] / l11, l22 = (p[3] - l21 * l21).squareRoot()
        var normals = Normals(state: 7)
        var x = Ensemble(dimension: 2, members: members, values: (0..<members).flatMap { _ -> [Double] in
            let z1 = normals.next(), z2 = normals.next()
            return [mu[0] + l11 * z1, mu[1] + l21 * z1 + l22 * z2]
        })
        let predicted = Ensemble(dimension: 1, members: members,
                                 values: (0..<members).map { h[0] * x[member: $0, 0] + h[1] * x[member: $0, 1] })
        let perturbations = (0..<members).map { _ in normals.next() }
        EnsembleKalmanFilter(observationVariance: [r]).analyse(states: &x, predicted: predicted, observed: [y],
                                                               perturbations: perturbations)
        // Kalman: S = H P Hᵀ + R, K = P Hᵀ / S, μ_a = μ + K (y − H μ), P_a = (I − K H) P.
        let ph = [p[0] * h[0] + p[1] * h[1], p[2] * h[0] + p[3] * h[1]]
        let s = h[0] * ph[0] + h[1] * ph[1] + r
        let k = ph.map { $0 / s }
        let innovation = y - (h[0] * mu[0] + h[1] * mu[1])
        let meanA = [mu[0] + k[0] * innovation, mu[1] + k[1] * innovation]
        let covA = [p[0] - k[0] * ph[0], p[1] - k[0] * ph[1], p[2] - k[1] * ph[0], p[3] - k[1] * ph[1]]
        let mean = x.mean, cov = x.covariance
        for i in 0..<2 {
            let standardError = (covA[i * 2 + i] / Double(members)).squareRoot()
            #expect(abs(mean[i] - meanA[i]) < 4 * standardError, "mean[\(i)] \(mean[i]) vs \(meanA[i])")
        }
        for i in 0..<4 { #expect(abs(cov[i] - covA[i]) < 0.03 * max(abs(covA[i]), covA[0]), "cov[\(i)] \(cov[i]) vs \(covA[i])") }
    }

    /// With ρ = 1 each unit is its own EnKF; with ρ = 0 every unit moves by the unit-averaged gain.
    @Test func hierarchicalWeightsMixLocalAndAveragedGains() throws {
        var normals = Normals(state: 3)
        let members = 64
        func ensemble(_ spread: Double) -> Ensemble {
            Ensemble(dimension: 2, members: members, values: (0..<(2 * members)).map { _ in spread * normals.next() })
        }
        let units = [ensemble(1), ensemble(3)]
        let predicted = units.map { e in (0..<members).map { e[member: $0, 0] + 0.1 * e[member: $0, 1] } }
        let observed = [0.5, -0.2], perturbations = units.map { _ in (0..<members).map { _ in normals.next() } }
        var local = units
        try HierarchicalAnalysis(observationVariance: 0.1, localWeight: 1)
            .analyse(units: &local, predicted: predicted, observed: observed, perturbations: perturbations)
        for u in 0..<2 {
            var alone = units[u]
            EnsembleKalmanFilter(observationVariance: [0.1]).analyse(
                states: &alone, predicted: Ensemble(dimension: 1, members: members, values: predicted[u]),
                observed: [observed[u]], perturbations: perturbations[u])
            #expect(zip(alone.values, local[u].values).allSatisfy { abs($0 - $1) < 1e-12 })
        }
        var global = units
        try HierarchicalAnalysis(observationVariance: 0.1, localWeight: 0)
            .analyse(units: &global, predicted: predicted, observed: observed, perturbations: perturbations)
        // Same gain everywhere: each unit's change per unit of innovation is the same vector.
        let change = (0..<2).map { u in (0..<2).map { i in
            (global[u][member: 0, i] - units[u][member: 0, i])
                / (observed[u] + 0.1.squareRoot() * perturbations[u][0] - predicted[u][0])
        } }
        #expect(abs(change[0][0] - change[1][0]) < 1e-12 && abs(change[0][1] - change[1][1]) < 1e-12)
    }

    @Test func badFilterSettingsAreRefused() {
        #expect(throws: AssimilationError.self) { try HierarchicalAnalysis(observationVariance: 0, localWeight: 0.5) }
        #expect(throws: AssimilationError.self) { try HierarchicalAnalysis(observationVariance: 1e-8, localWeight: 1.5) }
        #expect(throws: AssimilationError.self) { try HierarchicalAnalysis(observationVariance: .nan, localWeight: 0.5) }
    }
}

@Suite("Bounded hyperparameters")
struct BoundedParameterTests {
    /// The logit transform round-trips inside the bounds and maps every finite θ inside them.
    @Test func logitRoundTripsAndStaysInBounds() throws {
        let b = try BoundedParameter(lower: 0.01, upper: 0.3)
        for h in stride(from: 0.0101, through: 0.2999, by: 0.0037) {
            #expect(abs(b.value(b.logit(h)) - h) < 1e-12 * max(1, h))
        }
        for theta in [-1e6, -500.0, -1, 0, 1, 500, 1e6] {
            let h = b.value(theta)
            #expect(h >= 0.01 && h <= 0.3 && h.isFinite)
        }
        #expect(abs(b.value(0) - 0.155) < 1e-15)
        #expect(b.middleThird.lowerBound > 0.01 && b.middleThird.upperBound < 0.3)
    }

    @Test func badBoundsAreRefused() {
        #expect(throws: AssimilationError.bounds(lower: 1, upper: 1)) { try BoundedParameter(lower: 1, upper: 1) }
        #expect(throws: AssimilationError.bounds(lower: 2, upper: 1)) { try BoundedParameter(lower: 2, upper: 1) }
        #expect(throws: AssimilationError.self) { try BoundedParameter(lower: .nan, upper: 1) }
        #expect(throws: AssimilationError.self) { try BoundedParameter(lower: 0, upper: 1, scale: 0) }
    }
}
