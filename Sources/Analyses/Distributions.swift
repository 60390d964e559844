import Foundation

/// The distribution functions the significance tests need: the regularized incomplete beta
/// function and through it the F and Student t distributions, and the standard normal.
public enum Distributions {
    /// The regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1 (NaN outside).
    ///
    /// The continued fraction of Numerical Recipes §6.4 evaluated by the modified Lentz method, on
    /// the side of the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast
    /// (x < (a + 1)/(a + b + 2)); converges to ~1e-15 within a few hundred terms for the degrees of
    /// freedom of these tests.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, x >= 0, x <= 1 else { return .nan }
        if x == 0 || x == 1 { return x }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    /// The continued fraction of I_x(a, b) (without its front factor).
    static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300, epsilon = 1e-16
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            for numerator in [m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                              -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))] {
                d = 1 + numerator * d
                if abs(d) < tiny { d = tiny }
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                d = 1 / d
                h *= d * c
            }
            if abs(d * c - 1) < epsilon { break }
        }
        return h
    }

    /// P(F ≤ f) for Fisher's F with (d1, d2) degrees of freedom.
    public static func fCDF(_ f: Double, d1: Double, d2: Double) -> Double {
        guard f > 0 else { return 0 }
        return regularizedIncompleteBeta(d1 * f / (d1 * f + d2), a: d1 / 2, b: d2 / 2)
    }

    /// P(F > f): computed from the complementary side of the beta function, so small p-values keep
    /// their relative precision instead of being 1 − (a number close to 1).
    public static func fSurvival(_ f: Double, d1: Double, d2: Double) -> Double {
        guard f > 0 else { return 1 }
        return regularizedIncompleteBeta(d2 / (d2 + d1 * f), a: d2 / 2, b: d1 / 2)
    }

    /// The two-sided p-value of Student's t with ν degrees of freedom: P(|T| > |t|).
    public static func studentTwoSided(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)
    }

    /// Φ(z), the standard normal distribution function.
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// 1 − Φ(z), accurate in the upper tail.
    public static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
}
