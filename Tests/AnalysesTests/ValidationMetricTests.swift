import Analyses
import Foundation
import Primitives
import Testing

@Suite("Validation metrics")
struct ValidationMetricTests {
    /// Independent AR(1) series per unit, deterministic.
    static func series(frames: Int, units: Int, seed: UInt64) -> [[Double]] {
        var random = SplitMix64(state: seed)
        var x = [Double](repeating: 0, count: units)
        return (0..<frames).map { _ in
            for u in 0..<units { x[u] = 0.7 * x[u] + random.normal() }
            return x
        }
    }

    /// A simulation that is the data two frames late is found at lag 2 with r = 1.
    @Test func laggedCorrelationFindsTheDelay() throws {
        let observed = Self.series(frames: 60, units: 4, seed: 1)
        let simulated = (0..<60).map { t in t + 2 < 60 ? observed[t + 2] : observed[59] }
        let r = try #require(LaggedCorrelation(simulated: simulated, observed: observed, transient: 5, maxLag: 3))
        #expect(r.lag == 2)
        #expect(r.perUnit.allSatisfy { abs($0! - 1) < 1e-12 })
        #expect(LaggedCorrelation(simulated: simulated, observed: observed, transient: 55, maxLag: 3) == nil)
    }

    /// FC of a series with itself: similarity 1, distance 0; a mixed series' known correlation.
    @Test func functionalConnectivityKnownAnswers() throws {
        let x = Self.series(frames: 4000, units: 3, seed: 2)
        // Unit 2 := unit 0 + unit 1 (independent, equal variance): r(0, 2) = r(1, 2) = 1/√2.
        let mixed = x.map { [$0[0], $0[1], $0[0] + $0[1]] }
        let fc = FunctionalConnectivity(mixed)
        #expect(abs(fc.matrix[0 * 3 + 2] - 1 / 2.0.squareRoot()) < 0.04)
        #expect(abs(fc.matrix[0 * 3 + 1]) < 0.06)
        #expect(fc.similarity(to: fc).map { abs($0 - 1) < 1e-12 } == true)
        #expect(fc.relativeDistance(from: fc) == 0)
        let structure = [[0.0, 0.0, 5], [0.0, 0, 5], [5, 5, 0]]
        #expect((fc.structuralCorrelation(structure).raw ?? 0) > 0.99)
    }

    /// KS distance of two small samples by hand, and FCD of a series with itself.
    @Test func kolmogorovSmirnovAndFCD() throws {
        #expect(abs(kolmogorovSmirnovDistance([1, 2, 3], [2, 3, 4]) - 1.0 / 3) < 1e-15)
        #expect(kolmogorovSmirnovDistance([1, 2], [3, 4]) == 1)
        #expect(kolmogorovSmirnovDistance([1, 2, 3], [1, 2, 3]) == 0)
        let x = Self.series(frames: 200, units: 5, seed: 3)
        let fcd = try #require(FunctionalConnectivityDynamics(x, window: 30, step: 5))
        #expect(fcd.values.count == 35 * 34 / 2)   // windows start at 0, 5, …, 170
        #expect(fcd.ksDistance(to: fcd) == 0)
        let other = try #require(FunctionalConnectivityDynamics(Self.series(frames: 200, units: 5, seed: 4), window: 30, step: 5))
        #expect(fcd.ksDistance(to: other) < 0.5)
        #expect(FunctionalConnectivityDynamics(x, window: 300, step: 5) == nil)
    }
}
