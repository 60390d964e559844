// The perturbed-observation ensemble Kalman filter (Evensen 1994; Burgers, van Leeuwen & Evensen
// 1998). Members are columns; the analysis of each member is
//     x_a = x_f + K (y + ε − ŷ_f),   K = C_xy (C_yy + R)⁻¹,   ε ~ N(0, R),
// with C_xy and C_yy the ensemble covariances of the state and the predicted observation. For a
// linear-Gaussian model the analysed ensemble's mean and covariance tend to the Kalman filter's.

/// An ensemble of M members, each a state vector of `dimension` values, stored member-major.
public struct Ensemble: Sendable, Equatable, Codable {
    public let dimension: Int
    public let members: Int
    /// Member m's value i at `values[m * dimension + i]`.
    public var values: [Double]

    public init(dimension: Int, members: Int, values: [Double]) {
        precondition(values.count == dimension * members, "one value per member and dimension")
        self.dimension = dimension; self.members = members; self.values = values
    }

    public subscript(member m: Int, _ i: Int) -> Double {
        get { values[m * dimension + i] }
        set { values[m * dimension + i] = newValue }
    }

    /// The ensemble mean of each dimension.
    public var mean: [Double] {
        var mean = [Double](repeating: 0, count: dimension)
        for m in 0..<members { for i in 0..<dimension { mean[i] += self[member: m, i] } }
        return mean.map { $0 / Double(members) }
    }

    /// The unbiased ensemble covariance (dimension × dimension, row-major).
    public var covariance: [Double] {
        let mu = mean
        var c = [Double](repeating: 0, count: dimension * dimension)
        for m in 0..<members {
            for i in 0..<dimension {
                let di = self[member: m, i] - mu[i]
                for j in 0..<dimension { c[i * dimension + j] += di * (self[member: m, j] - mu[j]) }
            }
        }
        return c.map { $0 / Double(members - 1) }
    }
}

/// The analysis step of a perturbed-observation EnKF.
public struct EnsembleKalmanFilter: Sendable {
    /// Observation error variances, one per observed value (R is diagonal).
    public var observationVariance: [Double]

    public init(observationVariance: [Double]) { self.observationVariance = observationVariance }

    /// The Kalman gain K (state dimension × observations, row-major) from a forecast ensemble and
    /// its predicted observations.
    public func gain(states x: Ensemble, predicted y: Ensemble) -> [Double] {
        let n = x.dimension, p = y.dimension, members = Double(x.members)
        let mx = x.mean, my = y.mean
        var cxy = [Double](repeating: 0, count: n * p), cyy = [Double](repeating: 0, count: p * p)
        for m in 0..<x.members {
            for k in 0..<p {
                let dy = y[member: m, k] - my[k]
                for i in 0..<n { cxy[i * p + k] += (x[member: m, i] - mx[i]) * dy }
                for l in 0..<p { cyy[k * p + l] += dy * (y[member: m, l] - my[l]) }
            }
        }
        for k in 0..<p { cyy[k * p + k] += observationVariance[k] * (members - 1) }
        // K = C_xy S⁻¹ with S = C_yy + R (the common 1/(M−1) cancels): solve S Kᵀ = C_xyᵀ.
        let inverse = Cholesky(cyy, size: p)
        var k = [Double](repeating: 0, count: n * p)
        for i in 0..<n {
            let row = inverse.solve(Array(cxy[(i * p)..<((i + 1) * p)]))
            for l in 0..<p { k[i * p + l] = row[l] }
        }
        return k
    }

    /// Analyses `states` in place against `observed`, with `perturbations` (members ×
    /// observations standard normal deviates, member-major) scaled by √R as each member's
    /// observation error.
    public func analyse(states x: inout Ensemble, predicted y: Ensemble, observed: [Double], perturbations: [Double]) {
        let k = gain(states: x, predicted: y)
        let n = x.dimension, p = y.dimension
        for m in 0..<x.members {
            for l in 0..<p {
                let innovation = observed[l] + observationVariance[l].squareRoot() * perturbations[m * p + l] - y[member: m, l]
                for i in 0..<n { x[member: m, i] += k[i * p + l] * innovation }
            }
        }
    }
}

/// The Cholesky factor L (S = L Lᵀ) of a small symmetric positive-definite matrix, for solving S z = b.
struct Cholesky {
    let size: Int
    var l: [Double]

    init(_ s: [Double], size n: Int) {
        size = n
        l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = s[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = i == j ? max(sum, .leastNormalMagnitude).squareRoot() : sum / l[j * n + j]
            }
        }
    }

    /// z with S z = b: forward then back substitution.
    func solve(_ b: [Double]) -> [Double] {
        let n = size
        var z = b
        for i in 0..<n {
            for k in 0..<i { z[i] -= l[i * n + k] * z[k] }
            z[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { z[i] -= l[k * n + i] * z[k] }
            z[i] /= l[i * n + i]
        }
        return z
    }
}
