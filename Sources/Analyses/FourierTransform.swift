import Foundation

/// The discrete Fourier transform X_k = Σ_n x_n e^{−2πikn/N} of any length N, and its inverse.
///
/// Powers of two use the iterative radix-2 Cooley–Tukey algorithm; other lengths use Bluestein's
/// chirp-z algorithm, which rewrites the transform as a convolution and evaluates that with
/// radix-2 transforms of a power-of-two length ≥ 2N − 1. So every length costs O(N log N) and the
/// result is the exact DFT (not a zero-padded one, which would change the frequencies). Twiddle
/// factors are computed directly from cos/sin of each index rather than by recurrence, which keeps
/// the rounding error near 1e-15 relative for the lengths used here.
public enum FourierTransform {
    /// The forward DFT of `x` (empty for an empty input).
    public static func forward(_ x: [Complex]) -> [Complex] { transform(x, sign: -1) }

    /// The inverse DFT, including the 1/N factor, so `inverse(forward(x)) ≈ x`.
    public static func inverse(_ x: [Complex]) -> [Complex] {
        let n = Double(x.count)
        return transform(x, sign: 1).map { $0 * (1 / n) }
    }

    /// The DFT of a real series: the one-sided bins X_0 … X_{⌊N/2⌋} (the rest are their conjugates).
    ///
    /// Computed by the complex transform of the real input; the half-length packing trick is left
    /// out because these series are short (thousands of samples) and the plain form is easier to check.
    public static func real(_ x: [Double]) -> [Complex] {
        guard !x.isEmpty else { return [] }
        return Array(forward(x.map { Complex($0) }).prefix(x.count / 2 + 1))
    }

    /// The DFT with kernel e^{sign·2πikn/N}.
    static func transform(_ x: [Complex], sign: Double) -> [Complex] {
        let n = x.count
        if n <= 1 { return x }
        if n & (n - 1) == 0 { return radix2(x, sign: sign) }
        return bluestein(x, sign: sign)
    }

    /// Iterative in-place radix-2 transform of a power-of-two length: bit-reversal permutation,
    /// then log₂N butterfly passes.
    static func radix2(_ input: [Complex], sign: Double) -> [Complex] {
        var a = input
        let n = a.count
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { a.swapAt(i, j) }
        }
        var length = 2
        while length <= n {
            let half = length / 2
            let twiddles = (0..<half).map { Complex.phasor(sign * 2 * Double.pi * Double($0) / Double(length)) }
            for start in stride(from: 0, to: n, by: length) {
                for k in 0..<half {
                    let u = a[start + k], v = a[start + k + half] * twiddles[k]
                    a[start + k] = u + v
                    a[start + k + half] = u - v
                }
            }
            length *= 2
        }
        return a
    }

    /// Bluestein's algorithm: with w_n = e^{sign·iπn²/N}, X_k = w_k Σ_n (x_n w_n)·conj(w_{k−n}),
    /// a convolution evaluated by zero-padded radix-2 transforms.
    static func bluestein(_ x: [Complex], sign: Double) -> [Complex] {
        let n = x.count
        var m = 1
        while m < 2 * n - 1 { m <<= 1 }
        // n² mod 2N keeps the chirp's angle small, so cos/sin stay exact for large n.
        let chirp = (0..<n).map { k in
            Complex.phasor(sign * Double.pi * Double((k * k) % (2 * n)) / Double(n))
        }
        var a = [Complex](repeating: Complex(0), count: m)
        var b = [Complex](repeating: Complex(0), count: m)
        for k in 0..<n { a[k] = x[k] * chirp[k] }
        b[0] = chirp[0].conjugate
        for k in 1..<n { b[k] = chirp[k].conjugate; b[m - k] = chirp[k].conjugate }
        let fa = radix2(a, sign: -1), fb = radix2(b, sign: -1)
        let product = zip(fa, fb).map { $0 * $1 }
        let convolution = radix2(product, sign: 1)
        return (0..<n).map { convolution[$0] * chirp[$0] * (1 / Double(m)) }
    }
}
