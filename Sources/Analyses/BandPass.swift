/// A zero-phase band-pass filter applied in the frequency domain: the series' DFT with every bin
/// outside [low, high] Hz set to zero (both the positive and the mirrored negative frequencies),
/// transformed back. Ideal ("brick-wall") and non-causal, so phases are not shifted — what the
/// Hilbert phases of ``PhaseSynchrony`` need; the series is treated as periodic, so a band whose
/// oscillation does not fit a whole number of cycles rings at the ends (drop a margin there).
public enum BandPass {
    /// The filtered series; nil for an empty series, a non-positive sampling rate or an empty band
    /// (0 ≤ low < high required).
    public static func filter(_ series: [Double], samplingRate: Double, low: Double, high: Double) -> [Double]? {
        let n = series.count
        guard n >= 1, samplingRate > 0, low >= 0, high > low else { return nil }
        var spectrum = FourierTransform.forward(series.map { Complex($0) })
        for k in 0..<n {
            // Bin k stands for frequency k·fs/N, or (k − N)·fs/N above the Nyquist bin.
            let frequency = Double(min(k, n - k)) * samplingRate / Double(n)
            if frequency < low || frequency > high { spectrum[k] = Complex(0) }
        }
        return FourierTransform.inverse(spectrum).map(\.re)
    }
}
