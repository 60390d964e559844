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
    }
}
