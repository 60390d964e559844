import Foundation

/// A map from values to colours, for heatmaps and their legends.
public struct ColorScale: Sendable {
    /// Sequential (low → high, e.g. power, firing rate) or diverging (negative ← 0 → positive,
    /// e.g. correlations and differences, centred on zero).
    public enum Kind: String, Sendable, Codable {
        /// viridis-like: dark blue through green to yellow.
        case sequential
        /// blue – white – red, white at the centre.
        case diverging
    }

    /// The kind of scale.
    public let kind: Kind
    /// The values at the ends of the colour ramp; a diverging range is symmetric about 0.
    public let range: ClosedRange<Double>

    /// A scale over `values` (their range; ±max|v| for diverging), or over `range` when given.
    public init(_ kind: Kind, values: [Double], range: ClosedRange<Double>? = nil) {
        self.kind = kind
        let finite = values.filter(\.isFinite)
        if let range, range.upperBound > range.lowerBound {
            self.range = range
        } else if kind == .diverging {
            let m = finite.map(abs).max() ?? 1
            self.range = -(m > 0 ? m : 1)...(m > 0 ? m : 1)
        } else {
            let low = finite.min() ?? 0, high = finite.max() ?? 1
            self.range = high > low ? low...high : (low - 0.5)...(low + 0.5)
        }
    }

    /// Anchor colours of the ramps (RGB 0–255), evenly spaced from the low to the high end.
    static let anchors: [Kind: [(Double, Double, Double)]] = [
        .sequential: [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)],
        .diverging: [(33, 102, 172), (146, 197, 222), (247, 247, 247), (244, 165, 130), (178, 24, 43)],
    ]

    /// The colour of a value as "#rrggbb" (clamped to the range; grey for non-finite values).
    public func color(_ v: Double) -> String {
        guard v.isFinite, let ramp = Self.anchors[kind] else { return "#bdbdbd" }
        let t = min(max((v - range.lowerBound) / (range.upperBound - range.lowerBound), 0), 1) * Double(ramp.count - 1)
        let i = min(Int(t), ramp.count - 2), f = t - Double(i)
        let a = ramp[i], b = ramp[i + 1]
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
