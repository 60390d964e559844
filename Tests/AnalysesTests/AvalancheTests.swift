import Analyses
import Foundation
import Primitives
import Testing

@Suite("Neuronal avalanches")
struct AvalancheTests {
    /// Runs between empty bins by hand; runs touching either end are left out.
    @Test func extraction() {
        let avalanches = NeuronalAvalanches(counts: [3, 0, 2, 3, 0, 0, 1, 0, 4, 0, 5])
        #expect(avalanches.sizes == [5, 1, 4])
        #expect(avalanches.durations == [2, 1, 1])
        #expect(avalanches.branchingRatio == 0.3)             // (3 + 0 + 0) / (5 + 1 + 4)
        #expect(NeuronalAvalanches(counts: [0, 0, 0]).branchingRatio == nil)
        #expect(NeuronalAvalanches(counts: [[0, 0], [1, 2], [0, 0]]).sizes == [3])
    }

    /// A Galton–Watson process with Poisson(0.9) offspring, one generation per bin and one
    /// ancestor per avalanche, has branching ratio 0.9.
    @Test func branchingRatioOfAKnownProcess() throws {
        var random = SplitMix64(state: 14)
        func poisson(_ mean: Double) -> Int {
            let limit = exp(-mean)
            var k = 0, p = random.unit()
            while p > limit { k += 1; p *= random.unit() }
            return k
        }
        var counts = [0]
        for _ in 0..<5000 {
            var n = 1
            while n > 0 { counts.append(n); n = (0..<n).reduce(0) { sum, _ in sum + poisson(0.9) } }
            counts.append(0)
        }
        let avalanches = NeuronalAvalanches(counts: counts)
        #expect(avalanches.sizes.count == 5000)
        let sigma = try #require(avalanches.branchingRatio)
        #expect(abs(sigma - 0.9) < 0.02)
    }

    /// A critical Galton–Watson process (Poisson(1) offspring) has the mean-field exponents
    /// τ = 3/2 for sizes and α = 2 for durations, and ⟨S⟩(T) ~ T²; the fits recover them, with
    /// x_min searched, and the crackling relation's two sides agree. (Avalanches longer than 2000
    /// generations are cut off.) Seen: τ 1.505 ± 0.005 (x_min 4), α 1.945 ± 0.018 (x_min 13),
    /// γ fitted 2.08 against 1.87 predicted, σ 0.9995.
    @Test func criticalBranchingProcess() throws {
        var random = SplitMix64(state: 21)
        func poisson1() -> Int {
            let limit = exp(-1.0)
            var k = 0, p = random.unit()
            while p > limit { k += 1; p *= random.unit() }
            return k
        }
        var counts = [0]
        for _ in 0..<20000 {
            var n = 1, generations = 0
            while n > 0 && generations < 2000 {
                counts.append(n); generations += 1
                n = (0..<n).reduce(0) { sum, _ in sum + poisson1() }
            }
            counts.append(0)
        }
        let avalanches = NeuronalAvalanches(counts: counts)
        let sizes = try #require(PowerLawFit(avalanches.sizes, minimumTail: 500))
        let durations = try #require(PowerLawFit(avalanches.durations, minimumTail: 500))
        #expect(abs(sizes.exponent - 1.5) < 0.05, "τ = \(sizes.exponent) ± \(sizes.standardError), x_min \(sizes.xMin)")
        #expect(abs(durations.exponent - 2) < 0.1, "α = \(durations.exponent) ± \(durations.standardError), x_min \(durations.xMin)")
        #expect(abs((avalanches.branchingRatio ?? 0) - 1) < 0.02)
        let relation = try #require(CracklingNoise(avalanches, sizeExponent: sizes.exponent, durationExponent: durations.exponent,
                                                   minimumCount: 20, minimumDuration: durations.xMin))
        #expect(abs(relation.fittedExponent - 2) < 0.15, "γ fitted \(relation.fittedExponent) from T ≥ \(durations.xMin)")
        #expect(abs(relation.predictedExponent - relation.fittedExponent) < 0.4, "γ predicted \(relation.predictedExponent)")
    }

    /// Avalanches of duration T holding T spikes per bin have ⟨S⟩ = T²: fitted exponent 2; the
    /// predicted one from τ = 1.5, α = 2 is (2 − 1)/(1.5 − 1) = 2.
    @Test func cracklingNoise() throws {
        var counts = [0]
        for t in 1...12 { counts += [Int](repeating: t, count: t) + [0] }
        let avalanches = NeuronalAvalanches(counts: counts)
        #expect(avalanches.meanSizeByDuration().map(\.meanSize) == (1...12).map { Double($0 * $0) })
        let relation = try #require(CracklingNoise(avalanches, sizeExponent: 1.5, durationExponent: 2))
        #expect(abs(relation.fittedExponent - 2) < 1e-12)
        #expect(relation.fittedStandardError < 1e-10)
        #expect(abs(relation.predictedExponent - 2) < 1e-15)
        #expect(relation.durationsUsed == 12)
        #expect(CracklingNoise(avalanches, sizeExponent: 1.5, durationExponent: 2, minimumCount: 2) == nil)
        #expect(CracklingNoise(avalanches, sizeExponent: 1.5, durationExponent: 2, minimumDuration: 11) == nil)
        #expect(CracklingNoise(avalanches, sizeExponent: 1.5, durationExponent: 2, minimumDuration: 5)?.durationsUsed == 8)
    }
}
