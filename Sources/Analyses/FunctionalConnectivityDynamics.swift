/// Functional connectivity dynamics: FC in sliding windows, and the distribution of the
/// correlations between the windows' FC (the upper triangle of the FCD matrix).
public struct FunctionalConnectivityDynamics: Sendable, Codable, Equatable {
    public let window: Int
    public let step: Int
    /// The FCD matrix's entries above the diagonal.
    public let values: [Double]

    /// Nil unless the series holds at least two windows of `window` frames (`window` ≥ 3, `step` ≥ 1).
    public init?(_ series: [[Double]], window: Int, step: Int) {
        guard window >= 3, step >= 1, series.count >= window + step else { return nil }
        self.window = window; self.step = step
        let fcs = stride(from: 0, through: series.count - window, by: step).map {
            FunctionalConnectivity(Array(series[$0..<($0 + window)])).upperTriangle
        }
        values = (0..<fcs.count).flatMap { i in ((i + 1)..<fcs.count).map { pearson(fcs[i], fcs[$0]) ?? 0 } }
    }

    /// The two-sample Kolmogorov–Smirnov distance between this and another FCD's values.
    public func ksDistance(to other: FunctionalConnectivityDynamics) -> Double {
        kolmogorovSmirnovDistance(values, other.values)
    }
}

/// sup |F_a(x) − F_b(x)| of the two samples' empirical distribution functions.
public func kolmogorovSmirnovDistance(_ a: [Double], _ b: [Double]) -> Double {
    guard !a.isEmpty, !b.isEmpty else { return 1 }
    let x = a.sorted(), y = b.sorted()
    var i = 0, j = 0, d = 0.0
    while i < x.count && j < y.count {
        let v = min(x[i], y[j])
        while i < x.count && x[i] <= v { i += 1 }
        while j < y.count && y[j] <= v { j += 1 }
        d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
    }
    return d
}
