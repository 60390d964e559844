/// The analytic signal x + i·H[x] of a real series (H the Hilbert transform), computed as
/// `scipy.signal.hilbert` does: the DFT with the negative frequencies removed and the positive
/// ones doubled (DC and, for even lengths, Nyquist kept once), transformed back.
public enum AnalyticSignal {
    /// One complex value per sample; its phase is the instantaneous phase, its magnitude the envelope.
    public static func of(_ series: [Double]) -> [Complex] {
        let n = series.count
        guard n >= 2 else { return series.map { Complex($0) } }
        var spectrum = FourierTransform.forward(series.map { Complex($0) })
        let half = n / 2
        for k in 1..<n {
            if k < (n + 1) / 2 { spectrum[k] = spectrum[k] * 2 }
            else if !(n % 2 == 0 && k == half) { spectrum[k] = Complex(0) }
        }
        return FourierTransform.inverse(spectrum)
    }

    /// The instantaneous phase (radians, in (−π, π]) of each sample.
    public static func phases(_ series: [Double]) -> [Double] { of(series).map(\.phase) }
}
