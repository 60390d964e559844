/// How an observed BOLD run becomes the filter's targets: a named preset, recorded with the fit.
///
/// `raw` takes the series as it is (synthetic data already in model units). `zscore-band` is the
/// Fudan DTB's treatment of real data: drop the first frames (scanner equilibration), z-score each
/// unit, then map the whole run (one min–max over all units and frames) linearly into a BOLD band
/// the twin can reach — real BOLD is in arbitrary scanner units, the model's in fractional signal
/// change.
public struct Observation: Sendable, Codable, Equatable {
    public enum Preset: String, Sendable, Codable, CaseIterable {
        case raw
        case zscoreBand = "zscore-band"
    }

    public var preset: Preset
    /// Frames dropped from the start of the run before fitting.
    public var droppedFrames: Int
    /// The band (model BOLD units) each unit's series is mapped into; nil for `raw`.
    public var band: ClosedRange<Double>?

    /// Throws unless the dropped frames are ≥ 0 and a `zscore-band` band is finite and not empty.
    public init(preset: Preset, droppedFrames: Int = 0, band: ClosedRange<Double>? = nil) throws {
        guard droppedFrames >= 0 else { throw AssimilationError.invalid("dropped frames \(droppedFrames) must be 0 or more") }
        if preset == .zscoreBand {
            guard let band, band.lowerBound.isFinite, band.upperBound.isFinite, band.lowerBound < band.upperBound else {
                throw AssimilationError.invalid("the zscore-band preset needs a band lo < hi (finite)")
            }
        }
        self.preset = preset; self.droppedFrames = droppedFrames; self.band = preset == .raw ? nil : band
    }

    /// The filter's targets (frames × units) from an observed series (frames × units). Throws
    /// when no frame is left or a value is not finite.
    public func prepare(_ series: [[Double]]) throws -> [[Double]] {
        guard series.count > droppedFrames else {
            throw AssimilationError.invalid("the run has \(series.count) frames; dropping \(droppedFrames) leaves none")
        }
        let kept = Array(series[droppedFrames...])
        guard kept.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw AssimilationError.invalid("the run holds a value that is not finite") }
        guard preset == .zscoreBand, let band, let units = kept.first?.count else { return kept }
        var z = kept
        for u in 0..<units {
            let column = kept.map { $0[u] }
            let mean = column.reduce(0, +) / Double(column.count)
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, column.count - 1))).squareRoot()
            for t in kept.indices { z[t][u] = sd > 0 ? (column[t] - mean) / sd : 0 }
        }
        // One min–max over all units and frames, so units keep their relative amplitudes.
        let all = z.joined()
        let lo = all.min()!, hi = all.max()!
        var out = z
        for t in z.indices {
            for u in 0..<units {
                let x = hi > lo ? (z[t][u] - lo) / (hi - lo) : 0.5
                out[t][u] = band.lowerBound + x * (band.upperBound - band.lowerBound)
            }
        }
        return out
    }
}
