// Counter-based random numbers: every draw is a pure function of (seed, counter), so a neuron's
// noise does not depend on which thread or partition updates it, nor on the order of updates.

/// Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3").
///
/// A draw is `philox(key: seed, counter: (c0, c1, c2, c3))` → four independent 32-bit words.
/// The engine keys counters as (neuron or item, step or draw index, ``RandomStream``, extra).
public struct Philox4x32: Sendable, Equatable {
    /// The 64-bit key split into two 32-bit words.
    public let key: SIMD2<UInt32>

    public init(seed: UInt64) {
        key = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
    }

    @usableFromInline static let m0: UInt64 = 0xD251_1F53
    @usableFromInline static let m1: UInt64 = 0xCD9E_8D57
    @usableFromInline static let w0: UInt32 = 0x9E37_79B9
    @usableFromInline static let w1: UInt32 = 0xBB67_AE85

    /// Four random words for one counter.
    @inlinable @inline(__always)
    public func random(_ c: SIMD4<UInt32>) -> SIMD4<UInt32> {
        var x = c
        var k0 = key.x, k1 = key.y
        for round in 0..<10 {
            let p0 = Self.m0 &* UInt64(x.x)
            let p1 = Self.m1 &* UInt64(x.z)
            x = SIMD4(UInt32(truncatingIfNeeded: p1 >> 32) ^ x.y ^ k0, UInt32(truncatingIfNeeded: p1),
                      UInt32(truncatingIfNeeded: p0 >> 32) ^ x.w ^ k1, UInt32(truncatingIfNeeded: p0))
            if round < 9 { k0 &+= Self.w0; k1 &+= Self.w1 }
        }
        return x
    }

    /// The same generator on eight counters at once, which differ only in their first word;
    /// returns the four output words, each for the eight lanes.
    @inlinable @inline(__always)
    public func random8(_ c0: SIMD8<UInt32>, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32)
        -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>)
    {
        var x0 = c0, x1 = SIMD8(repeating: c1), x2 = SIMD8(repeating: c2), x3 = SIMD8(repeating: c3)
        var k0 = key.x, k1 = key.y
        for _ in 0..<10 {  // the key bump after the last round is unused
            let (hi0, lo0) = Self.mulhilo(x0, Self.m0)
            let (hi1, lo1) = Self.mulhilo(x2, Self.m1)
            x0 = hi1 ^ x1 ^ k0
            x1 = lo1
            x2 = hi0 ^ x3 ^ k1
            x3 = lo0
            k0 &+= Self.w0
            k1 &+= Self.w1
        }
        return (x0, x1, x2, x3)
    }

    /// High and low words of x·m per lane, as 64-bit products of the even and odd lanes
    /// (vector widening multiplies; the generic SIMD conversions would go lane by lane).
    @inlinable @inline(__always)
    static func mulhilo(_ x: SIMD8<UInt32>, _ m: UInt64) -> (SIMD8<UInt32>, SIMD8<UInt32>) {
        let x64 = unsafeBitCast(x, to: SIMD4<UInt64>.self)
        let low = SIMD4<UInt64>(repeating: 0xFFFF_FFFF)
        let even = (x64 & low) &* m
        let odd = (x64 &>> 32) &* m
        let lo = (even & low) | (odd &<< 32)
        let hi = (even &>> 32) | (odd & ~low)
        return (unsafeBitCast(hi, to: SIMD8<UInt32>.self), unsafeBitCast(lo, to: SIMD8<UInt32>.self))
    }
}

/// What a draw is for; part of every counter so that no two uses of the seed collide.
public enum RandomStream: UInt32, Sendable {
    case initialPotential = 1
    case backgroundInitial = 2
    case background = 3
    case poissonDrive = 4
    case externalGamma = 5
    case connectivity = 6
    case dwi = 7
    /// An assimilation filter's draws (random-walk diffusion, observation perturbations).
    case filter = 8
}

/// A sequential reader over one counter family, for set-up code (connectivity, initial values)
/// that needs an unbounded number of draws per item.
public struct RandomSequence: Sendable {
    @usableFromInline let philox: Philox4x32
    @usableFromInline let base: SIMD4<UInt32>
    @usableFromInline var block: UInt32 = 0
    @usableFromInline var words = SIMD4<UInt32>()
    @usableFromInline var used = 4

    /// Draws for `item` (a neuron, a rule, …) under `stream`; `salt` separates further uses.
    public init(seed: UInt64, stream: RandomStream, item: UInt32, salt: UInt32 = 0) {
        philox = Philox4x32(seed: seed)
        base = SIMD4(item, 0, stream.rawValue, salt)
    }

    /// The next 32 random bits.
    @inlinable @inline(__always)
    public mutating func next32() -> UInt32 {
        if used == 4 {
            var c = base
            c.y = block
            words = philox.random(c)
            block &+= 1
            used = 0
        }
        defer { used += 1 }
        return words[used]
    }

    /// Uniform in [0, n) by multiply-shift (relative bias below n / 2³²).
    @inlinable @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        Int((UInt64(next32()) &* UInt64(n)) >> 32)
    }

    /// Uniform in (0, 1), never exactly 0 or 1.
    @inlinable @inline(__always)
    public mutating func unit() -> Double {
        let bits = (UInt64(next32()) << 21) ^ (UInt64(next32()) >> 11)
        return (Double(bits) + 0.5) * 0x1p-53
    }

    /// A standard normal deviate (Box–Muller, cosine branch).
    public mutating func normal() -> Double {
        let r = (-2 * Math.log(unit())).squareRoot()
        return r * Math.cos(2 * Double.pi * unit())
    }

    /// Gamma(shape k, scale 1) by Marsaglia & Tsang (2000); shape < 1 by the boost u^{1/k}.
    public mutating func gamma(shape k: Double) -> Double {
        if k < 1 { return gamma(shape: k + 1) * Math.pow(unit(), 1 / k) }
        let d = k - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = unit()
            if Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v) { return d * v }
        }
    }
}
