import Foundation

/// The power spectral density of a series by Welch's method, with the defaults of
/// `scipy.signal.welch`: a periodic Hann window, segments of 256 samples (the whole series when it
/// is shorter) overlapping by half, each segment's mean removed, the one-sided spectrum, density
/// scaling (units² per Hz) and the mean over segments.
public struct WelchSpectrum: Sendable, Codable, Equatable {
    /// Bin frequencies (Hz): k·fs/nperseg for k = 0 … ⌊nperseg/2⌋.
    public let frequencies: [Double]
    /// The density at each frequency (units² / Hz).
    public let density: [Double]
    /// Samples per segment.
    public let segmentLength: Int
    /// Samples shared by consecutive segments.
    public let overlap: Int
    /// How many segments were averaged.
    public let segments: Int

    /// Nil for a series shorter than 2 samples, a non-positive or non-finite sampling rate, a
    /// segment shorter than 2 or an overlap outside 0 ..< segment length.
    ///
    /// - Parameters:
    ///   - series: equally spaced samples.
    ///   - samplingRate: samples per second (fs).
    ///   - segmentLength: nperseg; nil for min(256, series length), as scipy.
    ///   - overlap: noverlap; nil for half a segment (rounded down), as scipy.
    public init?(_ series: [Double], samplingRate: Double, segmentLength: Int? = nil, overlap: Int? = nil) {
        guard series.count >= 2, samplingRate > 0, samplingRate.isFinite else { return nil }
        let length = min(segmentLength ?? 256, series.count)
        let shared = overlap ?? length / 2
        guard length >= 2, shared >= 0, shared < length else { return nil }
        let window = Self.hann(length)
        let scale = 1 / (samplingRate * window.reduce(0) { $0 + $1 * $1 })
        let step = length - shared
        let count = (series.count - shared) / step
        var sum = [Double](repeating: 0, count: length / 2 + 1)
        for s in 0..<count {
            let segment = series[(s * step)..<(s * step + length)]
            let mean = segment.reduce(0, +) / Double(length)
            let bins = FourierTransform.real(zip(segment, window).map { ($0 - mean) * $1 })
            for k in bins.indices { sum[k] += bins[k].squaredMagnitude }
        }
        density = sum.indices.map { k in
            // One-sided: every bin except DC and (for even lengths) Nyquist stands for two.
            let doubled = k == 0 || (length % 2 == 0 && k == length / 2) ? 1.0 : 2.0
            return sum[k] / Double(count) * scale * doubled
        }
        frequencies = (0...(length / 2)).map { Double($0) * samplingRate / Double(length) }
        self.segmentLength = length
        self.overlap = shared
        segments = count
    }

    /// The periodic ("DFT-even") Hann window of `n` samples, scipy's `get_window('hann', n)`.
    public static func hann(_ n: Int) -> [Double] {
        (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
    }

    /// The frequencies of the `count` highest local maxima of the density (strictly above both
    /// neighbours; DC and the last bin are not peaks), highest first.
    public func peakFrequencies(count: Int = 1) -> [Double] {
        guard density.count >= 3 else { return [] }
        let peaks = (1..<(density.count - 1)).filter { density[$0] > density[$0 - 1] && density[$0] > density[$0 + 1] }
        return peaks.sorted { density[$0] > density[$1] }.prefix(max(0, count)).map { frequencies[$0] }
    }
}
