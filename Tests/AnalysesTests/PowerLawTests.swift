import Analyses
import Foundation
import Primitives
import Testing

@Suite("Power-law fits")
struct PowerLawTests {
    /// n draws of P(x) ∝ x^{−α}, x ≥ 1, by Devroye's exact rejection method for the Zipf law
    /// (Non-Uniform Random Variate Generation, 1986, X.6.1).
    static func zipf(_ n: Int, exponent alpha: Double, seed: UInt64) -> [Int] {
        var random = SplitMix64(state: seed)
        let b = pow(2, alpha - 1)
        var values: [Int] = []
        while values.count < n {
            let u = 1 - random.unit(), v = random.unit()
            let x = floor(pow(u, -1 / (alpha - 1)))
            guard x < 1e15 else { continue }
            let t = pow(1 + 1 / x, alpha - 1)
            if v * x * (t - 1) / (b - 1) <= t / b { values.append(Int(x)) }
        }
        return values
    }

    /// n draws of a geometric law on x ≥ 1 with P(x) ∝ e^{−λx}.
    static func geometric(_ n: Int, lambda: Double, seed: UInt64) -> [Int] {
        var random = SplitMix64(state: seed)
        return (0..<n).map { _ in 1 + Int(floor(log(1 - random.unit()) / -lambda)) }
    }

    /// The exponent of a sampled α = 2.5 law is recovered within two standard errors, with x_min
    /// given and with x_min searched.
    @Test func recoversTheExponent() throws {
        let sample = Self.zipf(5000, exponent: 2.5, seed: 14)
        let fixed = try #require(PowerLawFit(sample, xMin: 1))
        #expect(fixed.tailCount == 5000)
        #expect(abs(fixed.exponent - 2.5) < 2 * fixed.standardError)
        #expect(fixed.standardError > 0.01 && fixed.standardError < 0.04)
        #expect(fixed.ksDistance < 0.03)
        let searched = try #require(PowerLawFit(sample, minimumTail: 100))
        #expect(abs(searched.exponent - 2.5) < 2 * searched.standardError)
        #expect(searched.xMin <= 10)
    }

    /// Vuong's test favours the power law over an exponential for power-law data, the exponential
    /// for geometric data and the lognormal for (rounded) lognormal data, whose μ and σ the fit
    /// recovers. (On power-law data a lognormal with μ → −∞ and a large σ mimics the tail, so that
    /// comparison is not a known answer and is not tested.)
    @Test func comparesWithAlternatives() throws {
        let powerLaw = Self.zipf(3000, exponent: 2.2, seed: 5)
        let fit = try #require(PowerLawFit(powerLaw, xMin: 1))
        let exponential = try #require(PowerLawComparison(fit, values: powerLaw, alternative: .exponential))
        #expect(exponential.logLikelihoodRatio > 0 && exponential.pValue < 1e-6)

        let geometric = Self.geometric(3000, lambda: 0.3, seed: 6)
        let wrong = try #require(PowerLawFit(geometric, xMin: 1))
        let versus = try #require(PowerLawComparison(wrong, values: geometric, alternative: .exponential))
        #expect(versus.logLikelihoodRatio < 0 && versus.pValue < 1e-6)
        #expect(abs(versus.parameters[0] - 0.3) < 0.02)

        var random = SplitMix64(state: 7)
        let lognormal = (0..<3000).map { _ in Int(exp(2 + 0.7 * random.normal()).rounded()) }.filter { $0 >= 1 }
        let mimic = try #require(PowerLawFit(lognormal, xMin: 1))
        let test = try #require(PowerLawComparison(mimic, values: lognormal, alternative: .lognormal))
        #expect(test.logLikelihoodRatio < 0 && test.pValue < 1e-6)
        #expect(abs(test.parameters[0] - 2) < 0.05 && abs(test.parameters[1] - 0.7) < 0.05)
    }

    /// Data that cannot be fitted give nil.
    @Test func badInput() {
        #expect(PowerLawFit([3, 3, 3], xMin: 1) == nil)
        #expect(PowerLawFit([1, 2, 3], xMin: 0) == nil)
        #expect(PowerLawFit([1, 2, 3], minimumTail: 50) == nil)
    }
}
