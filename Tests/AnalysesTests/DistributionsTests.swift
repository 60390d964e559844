import Analyses
import Foundation
import Testing

@Suite("Distribution functions")
struct DistributionsTests {
    /// Closed forms: I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b, I_½(a, a) = ½.
    @Test func incompleteBetaClosedForms() {
        for x in [0.01, 0.3, 0.5, 0.77, 0.999] {
            #expect(abs(Distributions.regularizedIncompleteBeta(x, a: 1, b: 1) - x) < 1e-14)
            #expect(abs(Distributions.regularizedIncompleteBeta(x, a: 3.5, b: 1) - pow(x, 3.5)) < 1e-14)
            #expect(abs(Distributions.regularizedIncompleteBeta(x, a: 1, b: 7) - (1 - pow(1 - x, 7))) < 1e-14)
        }
        for a in [0.5, 2, 17.5, 300] {
            #expect(abs(Distributions.regularizedIncompleteBeta(0.5, a: a, b: a) - 0.5) < 1e-13)
        }
        #expect(Distributions.regularizedIncompleteBeta(1.5, a: 1, b: 1).isNaN)
        #expect(Distributions.regularizedIncompleteBeta(0.5, a: 0, b: 1).isNaN)
    }

    /// F with d1 = 2 has P(F > f) = (1 + 2f/d2)^(−d2/2); the CDF and survival add to 1; a tiny
    /// p-value keeps its relative precision.
    @Test func fDistribution() {
        for (f, d2) in [(0.5, 10.0), (3.0, 10), (12.0, 57), (40, 1000)] {
            let exact = pow(1 + 2 * f / d2, -d2 / 2)
            #expect(abs(Distributions.fSurvival(f, d1: 2, d2: d2) / exact - 1) < 1e-12)
            #expect(abs(Distributions.fCDF(f, d1: 2, d2: d2) + Distributions.fSurvival(f, d1: 2, d2: d2) - 1) < 1e-14)
        }
        #expect(Distributions.fSurvival(0, d1: 3, d2: 20) == 1)
        #expect(Distributions.fCDF(-1, d1: 3, d2: 20) == 0)
    }

    /// Student's t with one degree of freedom is Cauchy: P(|T| > t) = 1 − (2/π) atan t.
    @Test func studentCauchy() {
        for t in [0.1, 1, 3.7, 50] {
            #expect(abs(Distributions.studentTwoSided(t, degreesOfFreedom: 1) - (1 - 2 / Double.pi * atan(t))) < 1e-13)
        }
    }

    /// Φ(0) = ½, Φ(1.959963984540054) = 0.975.
    @Test func normal() {
        #expect(Distributions.normalCDF(0) == 0.5)
        #expect(abs(Distributions.normalCDF(1.959963984540054) - 0.975) < 1e-15)
        #expect(abs(Distributions.normalSurvival(1.959963984540054) - 0.025) < 1e-15)
    }

    /// Hurwitz zeta: ζ(2, 1) = π²/6, ζ(4, 1) = π⁴/90, ζ(2, 3) = π²/6 − 1 − ¼.
    @Test func hurwitz() {
        #expect(abs(hurwitzZeta(2, 1) / (Double.pi * Double.pi / 6) - 1) < 1e-14)
        #expect(abs(hurwitzZeta(4, 1) / pow(Double.pi, 4) * 90 - 1) < 1e-14)
        #expect(abs(hurwitzZeta(2, 3) / (Double.pi * Double.pi / 6 - 1.25) - 1) < 1e-14)
        #expect(hurwitzZeta(1, 1).isNaN)
    }
}
