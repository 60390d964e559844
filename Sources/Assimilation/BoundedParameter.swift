import Foundation

/// A hyperparameter bounded to (lo, hi), filtered in logit space as in the Fudan DTB's
/// assimilation: θ = c·[ln(h − lo) − ln(hi − h)], so a Gaussian random walk and a linear Kalman
/// update on θ can never leave the bounds on h = lo + (hi − lo) / (1 + e^{−θ/c}).
public struct BoundedParameter: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double
    /// The logit scale c (DTB: 10).
    public var scale: Double

    /// Throws unless lo < hi, both finite, and c > 0.
    public init(lower: Double, upper: Double, scale: Double = 10) throws {
        guard lower.isFinite, upper.isFinite, lower < upper else { throw AssimilationError.bounds(lower: lower, upper: upper) }
        guard scale.isFinite, scale > 0 else { throw AssimilationError.invalid("logit scale \(scale) must be positive") }
        self.lower = lower; self.upper = upper; self.scale = scale
    }

    /// θ of a value strictly inside the bounds (values at or past a bound map to ±∞).
    public func logit(_ h: Double) -> Double {
        scale * (Foundation.log(h - lower) - Foundation.log(upper - h))
    }

    /// The value of θ, always inside (lo, hi) for finite θ (at a bound only when it rounds there).
    public func value(_ theta: Double) -> Double {
        // 1/(1 + e^{−x}) written to avoid overflow of e^{−x} for large negative x.
        let x = theta / scale
        let s = x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        return lower + (upper - lower) * s
    }

    /// The middle third of the interval, where DTB spreads its initial ensemble.
    public var middleThird: ClosedRange<Double> {
        (lower + (upper - lower) / 3)...(upper - (upper - lower) / 3)
    }
}
