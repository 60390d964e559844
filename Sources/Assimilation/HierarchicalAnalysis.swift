// The Fudan DTB's hierarchical mesoscale analysis: every unit (region or voxel) is analysed from
// its own BOLD (a local EnKF update with weight ρ) and, with weight 1 − ρ, with the gain averaged
// over all units, which shares what the whole brain's data say about each unit's hyperparameters.

/// The per-unit analysis of an ensemble assimilating one BOLD value per unit and frame.
public struct HierarchicalAnalysis: Sendable, Equatable, Codable {
    /// Observation error variance R (DTB: 1e-8 or 1e-6).
    public var observationVariance: Double
    /// Weight ρ of each unit's own gain; 1 − ρ goes to the unit-averaged gain (DTB: 0.5 or 0.8).
    public var localWeight: Double

    /// Throws unless R > 0 and ρ ∈ [0, 1], both finite.
    public init(observationVariance: Double, localWeight: Double) throws {
        guard observationVariance.isFinite, observationVariance > 0 else {
            throw AssimilationError.invalid("observation variance \(observationVariance) must be positive")
        }
        guard localWeight.isFinite, (0...1).contains(localWeight) else {
            throw AssimilationError.invalid("local weight \(localWeight) must be within [0, 1]")
        }
        self.observationVariance = observationVariance; self.localWeight = localWeight
    }

    /// Analyses each unit's ensemble in place.
    /// - Parameters:
    ///   - units: per unit, the members' state vectors (all of one dimension).
    ///   - predicted: per unit, each member's predicted BOLD.
    ///   - observed: per unit, the observed BOLD of this frame.
    ///   - perturbations: per unit, one standard normal deviate per member (scaled by √R).
    public func analyse(units: inout [Ensemble], predicted: [[Double]], observed: [Double], perturbations: [[Double]]) {
        let filter = EnsembleKalmanFilter(observationVariance: [observationVariance])
        let gains = units.indices.map { u in
            filter.gain(states: units[u], predicted: Ensemble(dimension: 1, members: predicted[u].count, values: predicted[u]))
        }
        let dimension = units.first?.dimension ?? 0
        let average = (0..<dimension).map { i in gains.reduce(0) { $0 + $1[i] } / Double(max(1, gains.count)) }
        let noise = observationVariance.squareRoot()
        for u in units.indices {
            let gain = (0..<dimension).map { localWeight * gains[u][$0] + (1 - localWeight) * average[$0] }
            for m in 0..<units[u].members {
                let innovation = observed[u] + noise * perturbations[u][m] - predicted[u][m]
                for i in 0..<dimension { units[u][member: m, i] += gain[i] * innovation }
            }
        }
    }
}
