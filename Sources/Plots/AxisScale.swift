import Foundation

/// How data values map onto an axis: linearly, or by log₁₀ (positive values only).
public enum AxisScale: String, Sendable, Codable {
    /// Equal steps for equal differences.
    case linear
    /// Equal steps for equal ratios; non-positive values are not drawn.
    case log

    /// The value in the scale's own units (log₁₀ for `log`); nil when it cannot be shown.
    func transform(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        switch self {
        case .linear: return v
        case .log: return v > 0 ? log10(v) : nil
        }
    }
}

/// One axis: its label with the unit, its scale and the data range it spans.
public struct Axis: Sendable {
    /// The axis title, e.g. "frequency".
    public var label: String
    /// The unit shown in brackets after the label ("Hz"); nil for dimensionless quantities.
    public var unit: String?
    /// Linear or log₁₀.
    public var scale: AxisScale
    /// The data range; nil takes the range of the data, widened to nice ticks.
    public var range: ClosedRange<Double>?

    /// An axis; see the properties.
    public init(_ label: String, unit: String? = nil, scale: AxisScale = .linear, range: ClosedRange<Double>? = nil) {
        self.label = label; self.unit = unit; self.scale = scale; self.range = range
    }

    /// "label [unit]", or the label alone.
    public var title: String { unit.map { "\(label) [\($0)]" } ?? label }
}

/// A resolved axis: the data range (in scale units) mapped linearly onto a pixel interval, and the
/// ticks to draw.
struct ResolvedAxis {
    let scale: AxisScale
    /// The range in scale units (log₁₀ of the data for a log axis).
    let low: Double, high: Double
    /// Pixel positions of `low` and `high` (for y, `low` is at the bottom).
    let from: Double, to: Double
    /// Tick values in data units.
    let ticks: [Double]

    /// Resolves `axis` over the data `values` onto pixels from … to.
    init(_ axis: Axis, values: [Double], from: Double, to: Double) {
        scale = axis.scale
        self.from = from; self.to = to
        let shown = values.compactMap { axis.scale.transform($0) }
        var low: Double, high: Double
        if let range = axis.range, let a = axis.scale.transform(range.lowerBound), let b = axis.scale.transform(range.upperBound) {
            (low, high) = (a, b)
        } else {
            (low, high) = (shown.min() ?? 0, shown.max() ?? 1)
        }
        if high <= low { (low, high) = (low - 0.5, high + 0.5) }
        switch axis.scale {
        case .linear:
            let t = NiceTicks.linear(low, high)
            // Without a fixed range the axis widens to the first and last nice tick.
            if axis.range == nil, let first = t.first, let last = t.last { low = min(low, first); high = max(high, last) }
            ticks = t.filter { $0 >= low - 1e-9 * (high - low) && $0 <= high + 1e-9 * (high - low) }
        case .log:
            if axis.range == nil { low = floor(low); high = ceil(high); if high == low { high += 1 } }
            ticks = NiceTicks.decades(low, high)
        }
        self.low = low; self.high = high
    }

    /// The pixel position of a data value; nil when the scale cannot show it.
    func position(_ v: Double) -> Double? {
        guard let t = scale.transform(v) else { return nil }
        return from + (t - low) / (high - low) * (to - from)
    }

    /// A pixel position clamped into the axis (for bands and bars that run off it).
    func clampedPosition(_ v: Double) -> Double? {
        position(v).map { min(max($0, min(from, to)), max(from, to)) }
    }
}
