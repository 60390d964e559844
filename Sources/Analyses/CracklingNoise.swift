import Foundation

/// The crackling-noise relation of critical avalanches (Sethna et al. 2001; Friedman et al. 2012):
/// with P(S) ~ S^{−τ}, P(T) ~ T^{−α} and ⟨S⟩(T) ~ T^{γ}, scaling predicts γ = (α − 1)/(τ − 1).
/// Both sides are given: the prediction from the fitted exponents and γ fitted as the
/// least-squares slope of ln ⟨S⟩ against ln T over the durations of the scaling range (short
/// avalanches follow ⟨S⟩ ~ T^γ only roughly, so the fit may start at the duration fit's x_min).
public struct CracklingNoise: Sendable, Codable, Equatable {
    /// (α − 1)/(τ − 1) from the duration and size exponents.
    public let predictedExponent: Double
    /// The slope of ln ⟨S⟩(T) on ln T.
    public let fittedExponent: Double
    /// Its standard error from the regression's residuals.
    public let fittedStandardError: Double
    /// The durations that entered the regression.
    public let durationsUsed: Int

    /// Nil unless at least three durations ≥ `minimumDuration` occur `minimumCount` times or more.
    ///
    /// - Parameters: `sizeExponent` τ and `durationExponent` α, e.g. from ``PowerLawFit``.
    public init?(_ avalanches: NeuronalAvalanches, sizeExponent: Double, durationExponent: Double, minimumCount: Int = 1,
                 minimumDuration: Int = 1) {
        let points = avalanches.meanSizeByDuration(minimumCount: minimumCount).filter { $0.duration >= minimumDuration }
        guard points.count >= 3, sizeExponent != 1 else { return nil }
        let x = points.map { log(Double($0.duration)) }, y = points.map { log($0.meanSize) }
        guard let fit = LeastSquares(design: x.map { [1, $0] }, target: y) else { return nil }
        predictedExponent = (durationExponent - 1) / (sizeExponent - 1)
        fittedExponent = fit.coefficients[1]
        let mean = x.reduce(0, +) / Double(x.count)
        let sxx = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        fittedStandardError = (fit.residualSumOfSquares / Double(points.count - 2) / sxx).squareRoot()
        durationsUsed = points.count
    }
}
