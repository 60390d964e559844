import Analyses
import Foundation
import Testing

@Suite("Welch power spectral density")
struct WelchSpectrumTests {
    /// Every stored scipy case: same frequencies, densities within 1e-9 relative.
    @Test func agreesWithScipy() throws {
        let cases = try ScipyFixture.load("welch.json", as: ScipyFixture.WelchCase.self)
        #expect(cases.count == 4)
        for reference in cases {
            let psd = try #require(WelchSpectrum(reference.signal, samplingRate: reference.samplingRate,
                                                 segmentLength: reference.segmentLength, overlap: reference.overlap))
            #expect(maxRelativeDifference(psd.frequencies, reference.frequencies) < 1e-12, "\(reference.name)")
            #expect(maxRelativeDifference(psd.density, reference.density) < 1e-9, "\(reference.name)")
        }
    }

    /// A 12.5 Hz sinusoid sampled at 100 Hz (two noisy harmonics beside it) peaks at 12.5 Hz; the
    /// density integrates to the signal's variance (Parseval).
    @Test func sinusoidPeak() throws {
        let x = (0..<2000).map { i -> Double in
            let t = Double(i) / 100
            return 2 * sin(2 * Double.pi * 12.5 * t) + 0.5 * sin(2 * Double.pi * 30 * t)
        }
        let psd = try #require(WelchSpectrum(x, samplingRate: 100, segmentLength: 200))
        #expect(psd.peakFrequencies(count: 2) == [12.5, 30])
        let power = psd.density.reduce(0, +) * (psd.frequencies[1] - psd.frequencies[0])
        #expect(abs(power - (2 * 2 / 2 + 0.5 * 0.5 / 2)) < 0.02)
    }

    /// Input that cannot have a spectrum is refused rather than trapped on.
    @Test func badInput() {
        #expect(WelchSpectrum([1], samplingRate: 10) == nil)
        #expect(WelchSpectrum([1, 2, 3], samplingRate: 0) == nil)
        #expect(WelchSpectrum([1, 2, 3, 4], samplingRate: 1, segmentLength: 4, overlap: 4) == nil)
        #expect(WelchSpectrum([1, 2, 3, 4], samplingRate: 1, segmentLength: 1) == nil)
    }
}
