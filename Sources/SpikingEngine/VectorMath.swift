// Eight-lane float maths for the update loop, which draws one normal deviate per neuron and step:
// the C library's scalar log and cos would cost more than the rest of the neuron update.
// Polynomials use `addingProduct`: Swift does not contract a·b + c, and one fused multiply-add
// per term halves the instructions (and rounds once).
import Foundation

/// Scalar double-precision maths used by set-up code.
enum Math {
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}

typealias Lanes = SIMD8<Float>
typealias LaneInts = SIMD8<Int32>
typealias LaneWords = SIMD8<UInt32>

/// Uniform in (0, 1) from the top 24 bits of a word: (k + ½)·2⁻²⁴, never 0 or 1.
@inline(__always)
func openUnit(_ w: LaneWords) -> Lanes {
    (Lanes(LaneInts(truncatingIfNeeded: w &>> 8)) + 0.5) * 0x1p-24
}

/// Natural logarithm for x in (0, 1]: x = m·2ᵉ with m in [√½, √2), ln m = 2 atanh((m−1)/(m+1))
/// by its odd series to y⁹ (|y| ≤ 0.172, truncation below 1e-9).
@inline(__always)
func vectorLog(_ x: Lanes) -> Lanes {
    let bits = unsafeBitCast(x, to: LaneInts.self)
    let mantissa = (bits & 0x007F_FFFF) | 0x3F80_0000
    // m ≥ √2: halve m (exponent field − 1) and add one to e, by mask arithmetic (the vector
    // `replace(with:where:)` goes lane by lane).
    let big = unsafeBitCast(unsafeBitCast(mantissa, to: Lanes.self) .> 1.414_213_5, to: LaneInts.self)
    let e = ((bits &>> 23) &- 127) &- big
    let m = unsafeBitCast(mantissa &- (big & 0x0080_0000), to: Lanes.self)
    let y = (m - 1) / (m + 1)
    let y2 = y * y
    var series = Lanes(repeating: 2.0 / 7).addingProduct(y2, 2.0 / 9)
    series = Lanes(repeating: 2.0 / 5).addingProduct(series, y2)
    series = Lanes(repeating: 2.0 / 3).addingProduct(series, y2)
    series = Lanes(repeating: 2).addingProduct(series, y2)
    return (Lanes(e) * 0.693_147_18).addingProduct(series, y)
}

/// Two standard normal deviates per lane from one word (Box–Muller): the top 24 bits give the
/// radius r = √(−2 ln u), the low 8 bits one of 256 evenly spaced angles θ = 2π(k + ½)/256, and
/// the deviates are r·cos θ and r·sin θ. With N evenly spaced angles the averages of cosᵐθ and
/// sinᵐθ equal their continuous values for every m < N, so each deviate's moments are those of a
/// normal up to order 255 and the pair's joint moments up to that order are those of independent
/// normals; the radius has the same 24-bit resolution (tails to 5.9 σ) as a two-word transform.
/// With a = π((k + ½)/256 − ½) and s = sin a (Taylor series to a¹¹ on |a| ≤ π/2, error < 1e-7):
/// cos θ = 2s² − 1, sin θ = −2s√(1 − s²).
@inline(__always)
func vectorNormalPair(_ w: LaneWords) -> (Lanes, Lanes) {
    let r = rootOfMagnitude(-2 * vectorLog(openUnit(w)))
    let k = Lanes(LaneInts(truncatingIfNeeded: w & 0xFF))
    let a = (k - 127.5) * (Float.pi / 256)
    let a2 = a * a
    var p = Lanes(repeating: 1.0 / 362_880).addingProduct(a2, -1.0 / 39_916_800)
    p = Lanes(repeating: -1.0 / 5040).addingProduct(p, a2)
    p = Lanes(repeating: 1.0 / 120).addingProduct(p, a2)
    p = Lanes(repeating: -1.0 / 6).addingProduct(p, a2)
    p = Lanes(repeating: 1).addingProduct(p, a2)
    let s = p * a
    let s2 = s * s
    // |1 − s²|: the series may overshoot 1 by ~1e-7, where cos a is ~0 anyway.
    return (r * (2 * s2 - 1), -2 * r * s * rootOfMagnitude(1 - s2))
}

/// √|x| per lane. With the sign bit cleared the compiler knows the argument is not negative and
/// emits the vector square root; `squareRoot()` on an arbitrary vector goes lane by lane.
@inline(__always)
func rootOfMagnitude(_ x: Lanes) -> Lanes {
    unsafeBitCast(unsafeBitCast(x, to: LaneInts.self) & 0x7FFF_FFFF, to: Lanes.self).squareRoot()
}
