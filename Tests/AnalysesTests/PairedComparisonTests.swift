import Analyses
import Testing

@Suite("Paired comparisons and FDR")
struct PairedComparisonTests {
    /// Student's t quantiles against their tabulated values (scipy.stats.t.ppf).
    @Test func tQuantilesMatchTheTables() {
        #expect(abs(PairedComparison.tQuantile(0.975, degreesOfFreedom: 4) - 2.7764451051977987) < 1e-9)
        #expect(abs(PairedComparison.tQuantile(0.975, degreesOfFreedom: 1) - 12.706204736174698) < 1e-7)
        #expect(abs(PairedComparison.tQuantile(0.975, degreesOfFreedom: 30) - 2.0422724563012373) < 1e-9)
    }

    /// Differences 1…5: mean 3, sd √2.5, t = 3/(√2.5/√5) = 4.2426, p = 0.013236 (scipy.stats.ttest_rel).
    @Test func aPairedTestHasItsKnownAnswer() throws {
        let control = [10.0, 11, 12, 13, 14], treated = [11.0, 13, 15, 17, 19]
        let c = PairedComparison(control: control, treated: treated)
        #expect(c.n == 5 && c.difference == 3 && c.controlMean == 12 && c.treatedMean == 15)
        let half = 2.7764451051977987 * 2.5.squareRoot() / 5.0.squareRoot()
        let (lower, upper) = (try #require(c.lower), try #require(c.upper))
        #expect(abs(lower - (3 - half)) < 1e-9 && abs(upper - (3 + half)) < 1e-9)
        #expect(abs(try #require(c.effectSize) - 3 / 2.5.squareRoot()) < 1e-12)
        #expect(abs(try #require(c.p) - 0.013236) < 1e-5)
    }

    @Test func degenerateSamplesAreReportedAsSuch() {
        let one = PairedComparison(control: [1], treated: [2])
        #expect(one.difference == 1 && one.lower == nil && one.p == nil && one.effectSize == nil)
        let same = PairedComparison(control: [1, 2, 3], treated: [1, 2, 3])
        #expect(same.p == 1 && same.effectSize == nil && same.lower == 0)
        let shifted = PairedComparison(control: [1, 2, 3], treated: [3, 4, 5])
        #expect(shifted.p == 0 && shifted.effectSize == nil)
    }

    /// Benjamini–Hochberg on a hand-worked family (m = 4), nil p-values left out.
    @Test func falseDiscoveryRatesAreBenjaminiHochberg() {
        let q = falseDiscoveryRate([0.01, 0.04, nil, 0.03, 0.005])
        #expect(q.count == 5 && q[2] == nil)
        for (value, expected) in zip([q[0], q[1], q[3], q[4]], [0.02, 0.04, 0.04, 0.02]) {
            #expect(abs(value! - expected) < 1e-12)
        }
        #expect(falseDiscoveryRate([0.9, 0.95]).map { $0! } == [0.95, 0.95])
    }
}
