import Analyses
import Foundation
import Primitives
import Testing

@Suite("Fourier transform")
struct FourierTransformTests {
    /// The DFT by its definition, O(N²), as the reference.
    static func naive(_ x: [Complex]) -> [Complex] {
        let n = x.count
        return (0..<n).map { k in
            var sum = Complex(0)
            for j in 0..<n { sum += x[j] * Complex.phasor(-2 * Double.pi * Double((j * k) % n) / Double(n)) }
            return sum
        }
    }

    static func randomSeries(_ n: Int, seed: UInt64) -> [Complex] {
        var random = SplitMix64(state: seed)
        return (0..<n).map { _ in Complex(random.normal(), random.normal()) }
    }

    /// Radix-2 (8, 64) and Bluestein (12, 13, 100) lengths equal the definition; the inverse undoes it.
    @Test(arguments: [1, 2, 8, 12, 13, 64, 100])
    func matchesDefinition(length: Int) {
        let x = Self.randomSeries(length, seed: UInt64(length))
        let fast = FourierTransform.forward(x), slow = Self.naive(x)
        let error = zip(fast, slow).map { ($0 - $1).magnitude }.max() ?? 0
        #expect(error < 1e-11 * Double(length))
        let back = FourierTransform.inverse(fast)
        #expect(zip(back, x).allSatisfy { ($0 - $1).magnitude < 1e-12 })
    }

    /// A cosine of k cycles has all its energy in bins k and N − k, N/2 each.
    @Test func cosineKnownAnswer() {
        let n = 30, k = 4
        let x = (0..<n).map { cos(2 * Double.pi * Double(k * $0) / Double(n)) }
        let bins = FourierTransform.real(x)
        #expect(bins.count == n / 2 + 1)
        for (i, bin) in bins.enumerated() {
            #expect(abs(bin.re - (i == k ? Double(n) / 2 : 0)) < 1e-12 && abs(bin.im) < 1e-12)
        }
    }
}
