/// Phase synchronisation of the units of a frames × units series: each unit band-passed
/// (``BandPass``), its instantaneous phase φ_j(t) taken from the analytic signal
/// (``AnalyticSignal``), then
/// - the Kuramoto order parameter R(t) = |(1/N) Σ_j e^{iφ_j(t)}| (1 when all phases agree, about
///   1/√N for N independent phases), and its mean over time;
/// - the phase-locking value PLV_jk = |(1/T) Σ_t e^{i(φ_j(t) − φ_k(t))}| of every pair (1 for a
///   constant phase difference, about 1/√T for unrelated phases).
public struct PhaseSynchrony: Sendable, Codable, Equatable {
    /// R(t), one per frame kept.
    public let orderParameter: [Double]
    /// The mean of R(t).
    public let meanOrderParameter: Double
    /// Units × units, row-major; 1 on the diagonal.
    public let phaseLockingValues: [Double]
    /// The number of units.
    public let units: Int

    /// Nil for fewer than 2 units, ragged frames, no frames left after the margins or an invalid band.
    ///
    /// - Parameters:
    ///   - band: the pass band in Hz; nil uses the series as it is (already narrow-band).
    ///   - margin: frames dropped at each end after filtering, where the periodic filter rings.
    public init?(_ series: [[Double]], samplingRate: Double, band: ClosedRange<Double>?, margin: Int = 0) {
        let n = series.first?.count ?? 0
        guard n >= 2, series.allSatisfy({ $0.count == n }), margin >= 0, series.count > 2 * margin else { return nil }
        var phases: [[Double]] = []
        for u in 0..<n {
            var column = series.map { $0[u] }
            if let band {
                guard let filtered = BandPass.filter(column, samplingRate: samplingRate, low: band.lowerBound, high: band.upperBound)
                else { return nil }
                column = filtered
            }
            phases.append(Array(AnalyticSignal.phases(column)[margin..<(series.count - margin)]))
        }
        self.init(phases: phases)
    }

    /// From phases directly: units × frames (radians); nil for fewer than 2 units or no frames.
    public init?(phases: [[Double]]) {
        let n = phases.count, frames = phases.first?.count ?? 0
        guard n >= 2, frames >= 1, phases.allSatisfy({ $0.count == frames }) else { return nil }
        orderParameter = (0..<frames).map { t in
            var sum = Complex(0)
            for u in 0..<n { sum += Complex.phasor(phases[u][t]) }
            return sum.magnitude / Double(n)
        }
        meanOrderParameter = orderParameter.reduce(0, +) / Double(frames)
        var plv = [Double](repeating: 1, count: n * n)
        for i in 0..<n {
            for j in 0..<i {
                var sum = Complex(0)
                for t in 0..<frames { sum += Complex.phasor(phases[i][t] - phases[j][t]) }
                plv[i * n + j] = sum.magnitude / Double(frames); plv[j * n + i] = plv[i * n + j]
            }
        }
        phaseLockingValues = plv
        units = n
    }
}
