/// What a chart draws inside its axes: a line, band, scatter or error-bar layer.
public protocol PlotLayer: Sendable {
    /// The x values the axes must span.
    var xValues: [Double] { get }
    /// The y values the axes must span (bands and error bars included).
    var yValues: [Double] { get }
    /// The legend entry; nil leaves the layer out of the legend.
    var name: String? { get }
    /// The layer's colour, for the legend swatch.
    var color: String { get }
    /// The layer's elements in pixel coordinates.
    func elements(x: ResolvedAxisMap, y: ResolvedAxisMap) -> [SVGElement]
}

/// Data → pixel maps handed to layers: nil for values the axis scale cannot show (≤ 0 on a log axis).
public struct ResolvedAxisMap: Sendable {
    let map: @Sendable (Double) -> Double?
    let clamped: @Sendable (Double) -> Double?

    /// The pixel position of a value.
    public func callAsFunction(_ v: Double) -> Double? { map(v) }
    /// The pixel position, clamped into the axis.
    public func clamp(_ v: Double) -> Double? { clamped(v) }

    init(_ axis: ResolvedAxis) {
        map = { axis.position($0) }
        clamped = { axis.clampedPosition($0) }
    }
}
