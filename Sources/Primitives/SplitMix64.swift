import Foundation

/// SplitMix64: a small deterministic generator for sample data, synthetic images and test values
/// (not for simulation noise, which is counter-based).
///
/// Steele, Lea and Flood's 64-bit mixer over a Weyl sequence: every seed gives a full-period,
/// well-mixed stream, and the same seed gives the same numbers on every machine.
public struct SplitMix64: Sendable {
    /// The Weyl sequence's current value; the next output mixes `state + golden gamma`.
    public var state: UInt64

    /// A generator whose first output mixes `state + 0x9E3779B97F4A7C15`.
    public init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal deviate (Box–Muller, cosine branch) from two draws, each taken as
    /// (k + ½)/2⁵³ so that the logarithm never sees 0.
    public mutating func normal() -> Double {
        let u = (Double(next() >> 11) + 0.5) / 0x1p53, v = (Double(next() >> 11) + 0.5) / 0x1p53
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
