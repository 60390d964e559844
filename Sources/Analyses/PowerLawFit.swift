import Foundation

/// A discrete power law P(x) = x^{−α} / ζ(α, x_min) for integers x ≥ x_min, fitted by maximum
/// likelihood (Clauset, Shalizi & Newman 2009, §3): α maximises the log-likelihood for a given
/// x_min, and x_min is the candidate whose fitted tail is closest to the data in the
/// Kolmogorov–Smirnov distance.
public struct PowerLawFit: Sendable, Codable, Equatable {
    /// The fitted exponent α.
    public let exponent: Double
    /// Its standard error, 1/√(n · d²ln ζ(α, x_min)/dα²) (the inverse Fisher information).
    public let standardError: Double
    /// The smallest value the power law describes.
    public let xMin: Int
    /// How many observations are ≥ x_min.
    public let tailCount: Int
    /// The KS distance between the tail's empirical and fitted distribution functions.
    public let ksDistance: Double
    /// The maximised log-likelihood of the tail.
    public let logLikelihood: Double

    /// The exponents searched: a power law needs α > 1 to be normalisable.
    static let exponentRange = 1.0001...8.0

    /// The fit with x_min fixed; nil with fewer than 2 observations ≥ xMin (xMin ≥ 1) or a tail of one value.
    public init?(_ values: [Int], xMin: Int) {
        let tail = values.filter { $0 >= xMin }
        guard xMin >= 1, tail.count >= 2, Set(tail).count >= 2 else { return nil }
        let n = Double(tail.count), q = Double(xMin)
        let sumLog = tail.reduce(0) { $0 + log(Double($1)) }
        func logLikelihood(_ alpha: Double) -> Double { -n * log(hurwitzZeta(alpha, q)) - alpha * sumLog }
        let alpha = Maximization.goldenSection(low: Self.exponentRange.lowerBound, high: Self.exponentRange.upperBound, logLikelihood)
        let h = 1e-4
        let curvature = (log(hurwitzZeta(alpha + h, q)) - 2 * log(hurwitzZeta(alpha, q)) + log(hurwitzZeta(alpha - h, q))) / (h * h)
        exponent = alpha
        standardError = 1 / (n * curvature).squareRoot()
        self.xMin = xMin
        tailCount = tail.count
        ksDistance = Self.ksDistance(tail, exponent: alpha, xMin: xMin)
        self.logLikelihood = logLikelihood(alpha)
    }

    /// The fit whose x_min minimises the KS distance among the observed values that leave at
    /// least `minimumTail` observations in the tail; nil when none does.
    public init?(_ values: [Int], minimumTail: Int = 50) {
        let sorted = values.filter { $0 >= 1 }.sorted()
        let candidates = Set(sorted.prefix(max(0, sorted.count - max(2, minimumTail) + 1)))
        let fits = candidates.sorted().compactMap { PowerLawFit(sorted, xMin: $0) }
        guard let best = fits.min(by: { $0.ksDistance < $1.ksDistance }) else { return nil }
        self = best
    }

    /// log P(x) of one value x ≥ x_min under the fit.
    public func logProbability(_ x: Int) -> Double {
        -exponent * log(Double(x)) - log(hurwitzZeta(exponent, Double(xMin)))
    }

    /// max over observed x of |S_data(x) − S_fit(x)|, with S(x) = P(X ≥ x) and
    /// S_fit(x) = ζ(α, x)/ζ(α, x_min).
    static func ksDistance(_ tail: [Int], exponent: Double, xMin: Int) -> Double {
        let sorted = tail.sorted(), n = Double(sorted.count)
        let norm = hurwitzZeta(exponent, Double(xMin))
        var distance = 0.0, i = 0
        while i < sorted.count {
            let x = sorted[i]
            var j = i
            while j < sorted.count && sorted[j] == x { j += 1 }
            // At x the empirical survival steps from (n − i)/n to (n − j)/n; the fitted one from
            // S(x) to S(x + 1): compare both ends.
            let fitAt = hurwitzZeta(exponent, Double(x)) / norm, fitAfter = hurwitzZeta(exponent, Double(x + 1)) / norm
            distance = max(distance, abs((n - Double(i)) / n - fitAt), abs((n - Double(j)) / n - fitAfter))
            i = j
        }
        return distance
    }
}
