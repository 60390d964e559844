import Foundation

/// Discrete alternatives to a power law on the same tail x ≥ x_min, fitted by maximum likelihood,
/// for the likelihood-ratio comparison of ``PowerLawComparison``.
public enum AlternativeDistribution: String, Sendable, Codable, CaseIterable {
    /// P(x) = (1 − e^{−λ}) e^{−λ(x − x_min)}.
    case exponential
    /// P(x) ∝ Φ((ln(x + ½) − μ)/σ) − Φ((ln(x − ½) − μ)/σ): a lognormal binned to the integers.
    case lognormal

    /// The maximum-likelihood fit's parameters (λ; or μ, σ) and each observation's log-probability;
    /// nil when the tail is constant.
    func fit(_ tail: [Int], xMin: Int) -> (parameters: [Double], logProbabilities: [Double])? {
        guard tail.count >= 2, Set(tail).count >= 2 else { return nil }
        switch self {
        case .exponential:
            // The geometric MLE has a closed form: λ = ln(1 + 1/(mean − x_min)).
            let excess = tail.reduce(0.0) { $0 + Double($1 - xMin) } / Double(tail.count)
            let lambda = log1p(1 / excess)
            let logNorm = log(-expm1(-lambda))
            return ([lambda], tail.map { logNorm - lambda * Double($0 - xMin) })
        case .lognormal:
            let logs = tail.map { log(Double($0)) }
            let mean = logs.reduce(0, +) / Double(logs.count)
            let sd = max(1e-3, (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(logs.count)).squareRoot())
            let best = Maximization.nelderMead(start: [mean, log(sd)], step: [0.5, 0.5]) { p in
                tail.reduce(0) { $0 + Self.lognormalLogProbability($1, xMin: xMin, mu: p[0], sigma: exp(p[1])) }
            }
            return ([best[0], exp(best[1])],
                    tail.map { Self.lognormalLogProbability($0, xMin: xMin, mu: best[0], sigma: exp(best[1])) })
        }
    }

    /// log P(x) of the binned lognormal truncated to x ≥ x_min, from upper-tail probabilities
    /// (so that large x keep their precision); −∞ never: floored at 1e-300.
    static func lognormalLogProbability(_ x: Int, xMin: Int, mu: Double, sigma: Double) -> Double {
        func above(_ v: Double) -> Double { Distributions.normalSurvival((log(v) - mu) / sigma) }
        let mass = above(Double(x) - 0.5) - above(Double(x) + 0.5)
        return log(max(mass, 1e-300)) - log(max(above(Double(xMin) - 0.5), 1e-300))
    }
}

/// Vuong's test of a power-law fit against an alternative on the same tail: the log-likelihood
/// ratio R = Σ_i [ln P_pl(x_i) − ln P_alt(x_i)] (positive favours the power law), its normalised
/// form z = R/(s√n) with s the standard deviation of the pointwise ratios, and the two-sided
/// p-value 2Φ(−|z|) of "the two fit equally well" (Clauset et al. 2009, §5.1).
public struct PowerLawComparison: Sendable, Codable, Equatable {
    /// The alternative compared with.
    public let alternative: AlternativeDistribution
    /// The alternative's fitted parameters: [λ] for the exponential, [μ, σ] for the lognormal.
    public let parameters: [Double]
    /// R: positive when the power law is the likelier.
    public let logLikelihoodRatio: Double
    /// z = R/(s√n).
    public let normalizedRatio: Double
    /// The two-sided p-value of z; small means the sign of R is significant.
    public let pValue: Double

    /// Nil when the alternative cannot be fitted or the ratios do not vary.
    public init?(_ fit: PowerLawFit, values: [Int], alternative: AlternativeDistribution) {
        let tail = values.filter { $0 >= fit.xMin }
        guard let other = alternative.fit(tail, xMin: fit.xMin) else { return nil }
        let ratios = zip(tail, other.logProbabilities).map { fit.logProbability($0) - $1 }
        let n = Double(ratios.count), mean = ratios.reduce(0, +) / n
        let sd = (ratios.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        guard sd > 0 else { return nil }
        self.alternative = alternative
        parameters = other.parameters
        logLikelihoodRatio = mean * n
        normalizedRatio = mean * n / (sd * n.squareRoot())
        pValue = 2 * Distributions.normalSurvival(abs(normalizedRatio))
    }
}
