import Analyses
import Primitives
import Testing

@Suite("Conditional Granger causality")
struct GrangerCausalityTests {
    /// A VAR(2) of three units with one influence, x → y (at lags 1 and 2), nothing into x, and a
    /// third unit z coupled to neither; unit-variance Gaussian innovations.
    static func simulate(frames: Int, seed: UInt64) -> [[Double]] {
        var random = SplitMix64(state: seed)
        var rows: [[Double]] = [[0, 0, 0], [0, 0, 0]]
        for t in 2..<(frames + 100) {
            let a = rows[t - 1], b = rows[t - 2]
            rows.append([0.5 * a[0] - 0.3 * b[0] + random.normal(),
                         0.4 * a[1] + 0.3 * a[0] + 0.2 * b[0] + random.normal(),
                         0.6 * a[2] - 0.2 * b[2] + random.normal()])
        }
        return Array(rows.suffix(frames))     // the first 100 frames are burn-in
    }

    /// BIC picks order 2; x → y is significant and strong; every other link (y → x among them)
    /// is not.
    @Test func recoversTheKnownCoupling() throws {
        let gc = try #require(GrangerCausality(Self.simulate(frames: 2000, seed: 14), maxOrder: 6))
        #expect(gc.order == 2)
        #expect(gc.informationCriteria.count == 6 && gc.frames == 1994)
        let xy = try #require(gc.link(from: 0, to: 1))
        #expect(xy.pValue < 1e-12)
        #expect(xy.strength > 0.05)
        let reverse = try #require(gc.link(from: 1, to: 0))
        #expect(reverse.pValue > 0.01)
        for link in gc.links where !(link.source == 0 && link.target == 1) {
            #expect(link.pValue > 0.001, "\(link.source) → \(link.target): p = \(link.pValue)")
            #expect(link.strength < 0.01)
        }
        #expect(gc.links.count == 6)
    }

    /// With the order fixed, the F test's degrees of freedom follow it; too short or one-unit
    /// series are refused.
    @Test func fixedOrderAndBadInput() throws {
        let series = Self.simulate(frames: 300, seed: 3)
        let gc = try #require(GrangerCausality(series, maxOrder: 4, order: 1))
        #expect(gc.order == 1 && gc.frames == 296)
        #expect(GrangerCausality(series, maxOrder: 4, order: 5) == nil)
        #expect(GrangerCausality(Array(series.prefix(10)), maxOrder: 4) == nil)
        #expect(GrangerCausality(series.map { [$0[0]] }, maxOrder: 2) == nil)
    }
}
