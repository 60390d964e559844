import Analyses
import Foundation
import Primitives
import Testing

@Suite("Phase synchronisation")
struct PhaseSynchronyTests {
    /// The analytic signal equals scipy.signal.hilbert on the stored odd and even length series.
    @Test func analyticSignalAgreesWithScipy() throws {
        let cases = try ScipyFixture.load("hilbert.json", as: ScipyFixture.HilbertCase.self)
        #expect(cases.count == 2)
        for reference in cases {
            let z = AnalyticSignal.of(reference.signal)
            let error = zip(z, zip(reference.real, reference.imaginary)).map { abs($0.re - $1.0) + abs($0.im - $1.1) }.max() ?? 1
            #expect(error < 1e-12)
        }
    }

    /// Oscillators at 10 Hz with fixed phase offsets θ_j (plus a 40 Hz component of random phase
    /// that the 8–12 Hz band removes) have R(t) = |mean e^{iθ_j}| at all times and PLV 1; whole
    /// cycles over the series, so the periodic filter needs no margin.
    @Test func phaseLockedOscillators() throws {
        var random = SplitMix64(state: 14)
        let offsets = (0..<8).map { Double($0) * 0.1 }
        let fast = offsets.map { _ in 2 * Double.pi * random.unit() }
        let series = (0..<1000).map { i in
            offsets.indices.map { j in
                sin(2 * Double.pi * 10 * Double(i) / 250 + offsets[j]) + 0.5 * sin(2 * Double.pi * 40 * Double(i) / 250 + fast[j])
            }
        }
        let sync = try #require(PhaseSynchrony(series, samplingRate: 250, band: 8...12))
        var sum = Complex(0)
        for theta in offsets { sum += Complex.phasor(theta) }
        let expected = sum.magnitude / 8
        #expect(expected > 0.9)
        #expect(sync.orderParameter.allSatisfy { abs($0 - expected) < 1e-6 })
        #expect(abs(sync.meanOrderParameter - expected) < 1e-6)
        #expect(sync.phaseLockingValues.allSatisfy { abs($0 - 1) < 1e-6 })
        let identical = try #require(PhaseSynchrony(series.map { Array(repeating: $0[0], count: 5) }, samplingRate: 250, band: 8...12))
        #expect(abs(identical.meanOrderParameter - 1) < 1e-12)
    }

    /// N = 100 independent oscillators (random frequencies in the band, random phases) have a
    /// mean order parameter near 1/√N, and pairs a small PLV.
    @Test func independentOscillators() throws {
        var random = SplitMix64(state: 7)
        let n = 100, frames = 4000, rate = 250.0
        let oscillators = (0..<n).map { _ in (frequency: 8 + 4 * random.unit(), phase: 2 * Double.pi * random.unit()) }
        let series = (0..<frames).map { i in oscillators.map { sin(2 * Double.pi * $0.frequency * Double(i) / rate + $0.phase) } }
        let sync = try #require(PhaseSynchrony(series, samplingRate: rate, band: 7...13, margin: 250))
        #expect(sync.orderParameter.count == frames - 500)
        #expect(sync.meanOrderParameter < 3 / Double(n).squareRoot())
        #expect(sync.meanOrderParameter > 0.3 / Double(n).squareRoot())
        let offDiagonal = (0..<n).flatMap { i in (0..<n).filter { $0 != i }.map { sync.phaseLockingValues[i * n + $0] } }
        #expect(offDiagonal.reduce(0, +) / Double(offDiagonal.count) < 0.2)
    }

    /// The band-pass keeps an in-band sinusoid, removes an out-of-band one, and refuses an empty band.
    @Test func bandPass() throws {
        let x = (0..<500).map { i in sin(2 * Double.pi * 5 * Double(i) / 100) + sin(2 * Double.pi * 30 * Double(i) / 100) }
        let kept = try #require(BandPass.filter(x, samplingRate: 100, low: 2, high: 10))
        #expect(zip(kept, (0..<500).map { sin(2 * Double.pi * 5 * Double($0) / 100) }).allSatisfy { abs($0 - $1) < 1e-10 })
        #expect(BandPass.filter(x, samplingRate: 100, low: 10, high: 10) == nil)
        #expect(PhaseSynchrony(x.map { [$0] }, samplingRate: 100, band: nil) == nil)
    }

    /// FC–SC correlation: units a, a + b, b, c (a, b, c independent) have FC 1/√2 for the pairs
    /// 0–1 and 1–2 and 0 elsewhere; tract weights e² there, 3 for 0–2 and 2–3 and none otherwise
    /// make the log form (untracked pairs left out) follow FC exactly (r ≈ 1) and the raw form
    /// only partly (r = 0.915 for exact FC).
    @Test func structuralCorrelation() throws {
        var random = SplitMix64(state: 2)
        let series = (0..<20000).map { _ -> [Double] in
            let a = random.normal(), b = random.normal(), c = random.normal()
            return [a, a + b, b, c]
        }
        let e2 = exp(2.0)
        let weights: [[Double]] = [[0, e2, 3, 0], [e2, 0, e2, 0], [3, e2, 0, 3], [0, 0, 3, 0]]
        let r = FunctionalConnectivity(series).structuralCorrelation(weights)
        #expect(try #require(r.log) > 0.99)
        #expect(abs(try #require(r.raw) - 0.915) < 0.02)
        #expect(FunctionalConnectivity(series).structuralCorrelation([[1]]).raw == nil)
    }
}
