import Foundation
import Primitives
import TwinBuilder

/// A deterministic synthetic subject: 16 cortical and 4 subcortical units on a ring in 3-D, with
/// gray-matter volumes spanning ~4×, SV2A spanning 0.55–1.45 of V1, and a distance-decaying,
/// jittered, symmetric DWI tract density.
public enum Synthetic {
    public static let unitCount = 20

    /// Deterministic test values in [0, 1): SplitMix64's ``SplitMix64/unit()``.
    public struct Mix {
        private var generator: SplitMix64
        public init(state: UInt64) { generator = SplitMix64(state: state) }
        public mutating func next() -> Double { generator.unit() }
    }

    /// - Parameter spacedNames: `unit 5` rather than `unit5` (names that need quoting in CSV files).
    public static func records(sv2a: Bool = true, dwi: Bool = true, lengths: Bool = false,
                               spacedNames: Bool = false) -> SubjectRecords {
        var mix = Mix(state: 2024)
        let units = (0..<unitCount).map { v -> UnitRecord in
            let angle = 2 * Double.pi * Double(v) / Double(unitCount)
            return UnitRecord(name: v < 2 ? "V1_\(v)" : (spacedNames ? "unit \(v)" : "unit\(v)"), kind: v < 16 ? .cortical : .subcortical,
                              grayMatterVolume: 1000 + 3000 * mix.next(),
                              sv2a: sv2a ? (v < 2 ? 10 : 10 * (0.55 + 0.9 * mix.next())) : nil,
                              centroid: [60 * cos(angle), 60 * sin(angle), Double(v % 3) * 10])
        }
        var density = Array(repeating: Array(repeating: 0.0, count: unitCount), count: unitCount)
        for v in 0..<unitCount {
            for u in 0..<v {
                let d = zip(units[v].centroid!, units[u].centroid!).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                density[v][u] = 1000 * exp(-d / 30) * (0.3 + 1.4 * mix.next())
                density[u][v] = density[v][u]
            }
            density[v][v] = 5000   // the builder must ignore the diagonal
        }
        let length = units.map { a in units.map { b in
            zip(a.centroid!, b.centroid!).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() * 1.3 } }
        return SubjectRecords(units: units, tractDensity: dwi ? density : nil, tractLength: lengths ? length : nil,
                              v1Units: ["V1_0", "V1_1"])
    }

    public static func parameters(neurons: Int = 20_000, k: Double = 100, seed: UInt64 = 7,
                           clip: ClosedRange<Double>? = nil) -> BuildParameters {
        BuildParameters(neurons: neurons, meanInDegree: k, seed: seed, sv2aClip: clip)
    }

    /// The main test twin, built once (clip off).
    public static let twin: TwinNetwork = try! TwinNetwork(records: records(), parameters: parameters())
}

/// Pearson correlation.
public func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
    return sxy / (sxx * syy).squareRoot()
}
