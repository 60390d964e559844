import Foundation

/// The effect of a treatment on one outcome, from paired samples: the treated and the untreated
/// arm run with the same seeds (common random numbers), so each seed gives one difference and
/// the seed-to-seed noise both arms share cancels.
///
/// Difference of means with a 95 % confidence interval from Student's t with n − 1 degrees of
/// freedom, the standardised effect d_z = mean / sd of the differences (Cohen's d for paired
/// samples), and the two-sided paired t-test's p-value.
public struct PairedComparison: Sendable, Codable, Equatable {
    /// Seeds compared.
    public let n: Int
    public let controlMean: Double
    public let treatedMean: Double
    /// Mean of treated − control.
    public let difference: Double
    /// The 95 % confidence interval of the difference; nil with fewer than two seeds.
    public let lower: Double?
    public let upper: Double?
    /// d_z; nil when the differences do not vary (or fewer than two seeds).
    public let effectSize: Double?
    /// Two-sided paired t-test; nil with fewer than two seeds. Differences that do not vary give
    /// 1 when they are all zero and 0 otherwise (the t statistic is infinite).
    public let p: Double?

    /// Compares `treated[i]` with `control[i]` (seed i in both); the arrays have equal, non-zero length.
    public init(control: [Double], treated: [Double]) {
        precondition(control.count == treated.count && !control.isEmpty, "paired samples of one length")
        n = control.count
        controlMean = control.reduce(0, +) / Double(n)
        treatedMean = treated.reduce(0, +) / Double(n)
        let d = zip(treated, control).map { $0 - $1 }
        let mean = d.reduce(0, +) / Double(n)
        difference = mean
        guard n > 1 else { lower = nil; upper = nil; effectSize = nil; p = nil; return }
        let sd = (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
        let half = Self.tQuantile(0.975, degreesOfFreedom: Double(n - 1)) * sd / Double(n).squareRoot()
        lower = mean - half
        upper = mean + half
        // Differences equal to rounding are no variation: their sd is noise of the subtraction.
        if sd <= 1e-12 * max(1, abs(mean)) {
            effectSize = nil
            p = abs(mean) <= 1e-12 ? 1 : 0
        } else {
            effectSize = mean / sd
            p = Distributions.studentTwoSided(mean / (sd / Double(n).squareRoot()), degreesOfFreedom: Double(n - 1))
        }
    }

    /// The quantile t_q of Student's t with ν degrees of freedom (q in (0.5, 1)), by bisection on
    /// the two-sided tail: P(|T| > t) = 2(1 − q).
    public static func tQuantile(_ q: Double, degreesOfFreedom nu: Double) -> Double {
        let tail = 2 * (1 - q)
        var low = 0.0, high = 1.0
        while Distributions.studentTwoSided(high, degreesOfFreedom: nu) > tail { high *= 2 }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if Distributions.studentTwoSided(mid, degreesOfFreedom: nu) > tail { low = mid } else { high = mid }
            if high - low <= 1e-13 * high { break }
        }
        return (low + high) / 2
    }
}

/// Benjamini–Hochberg adjusted p-values (the false-discovery rate of the family, here the regions
/// of one outcome): q_(i) = min over j ≥ i of p_(j)·m/j, capped at 1. Nil p-values stay nil and do
/// not count in m.
public func falseDiscoveryRate(_ p: [Double?]) -> [Double?] {
    let tested = p.indices.filter { p[$0] != nil }.sorted { p[$0]! < p[$1]! }
    let m = Double(tested.count)
    var adjusted = [Double?](repeating: nil, count: p.count)
    var running = 1.0
    for (rank, i) in tested.enumerated().reversed() {
        running = min(running, p[i]! * m / Double(rank + 1))
        adjusted[i] = running
    }
    return adjusted
}
