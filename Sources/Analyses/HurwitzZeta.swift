import Foundation

/// The Hurwitz zeta function ζ(s, q) = Σ_{k≥0} (k + q)^{−s} for s > 1, q > 0: the normalising
/// constant of a discrete power law on x ≥ q.
///
/// Euler–Maclaurin summation: the first N = 12 terms exactly, then the integral of the tail, half
/// its first term and six Bernoulli corrections; the error is below 1e-15 relative for s ≤ 10.
public func hurwitzZeta(_ s: Double, _ q: Double) -> Double {
    guard s > 1, q > 0 else { return .nan }
    let terms = 12
    var sum = 0.0
    for k in 0..<terms { sum += pow(Double(k) + q, -s) }
    let a = Double(terms) + q
    sum += pow(a, 1 - s) / (s - 1) + 0.5 * pow(a, -s)
    // B_2j / (2j)! for j = 1 … 6.
    let bernoulli: [Double] = [1.0 / 12, -1.0 / 720, 1.0 / 30_240, -1.0 / 1_209_600, 1.0 / 47_900_160, -691.0 / 1_307_674_368_000]
    var rising = s            // s (s+1) … (s+2j−2)
    var power = pow(a, -s - 1)
    for j in 0..<bernoulli.count {
        sum += bernoulli[j] * rising * power
        rising *= (s + Double(2 * j + 1)) * (s + Double(2 * j + 2))
        power /= a * a
    }
    return sum
}
