/// Values with error bars, drawn as bars from zero (an effect per region) or as points (a swept
/// parameter against similarity), each with a whisker from lower to upper.
public struct ErrorBarLayer: PlotLayer {
    /// Bars from the axis' zero (or its bottom) or points.
    public enum Style: String, Sendable { case bar, point }

    /// The x positions (category indices for bars).
    public var x: [Double]
    /// The values.
    public var y: [Double]
    /// Whisker ends, one each per value (e.g. a 95 % confidence interval).
    public var lower: [Double], upper: [Double]
    /// Bars or points.
    public var style: Style
    /// The legend entry.
    public var name: String?
    /// The fill and whisker colour.
    public var color: String

    /// Values with whiskers; entries beyond the shortest array are ignored.
    public init(x: [Double], y: [Double], lower: [Double], upper: [Double], style: Style = .point,
                name: String? = nil, color: String = "#1f77b4") {
        self.x = x; self.y = y; self.lower = lower; self.upper = upper; self.style = style; self.name = name; self.color = color
    }

    var count: Int { min(x.count, y.count, lower.count, upper.count) }

    /// Every x, widened by half a bar for bars.
    public var xValues: [Double] { style == .bar ? x.flatMap { [$0 - 0.5, $0 + 0.5] } : x }
    /// Every value and whisker end (and zero for bars).
    public var yValues: [Double] { y + lower + upper + (style == .bar ? [0] : []) }

    /// The bars or points, each followed by its whisker with caps.
    public func elements(x px: ResolvedAxisMap, y py: ResolvedAxisMap) -> [SVGElement] {
        (0..<count).flatMap { i -> [SVGElement] in
            guard let cx = px(x[i]), let cy = py(y[i]) else { return [] }
            var out: [SVGElement] = []
            switch style {
            case .bar:
                let half = abs((px(x[i] + 0.4) ?? cx) - cx)
                let base = py.clamp(0) ?? cy
                out.append(SVGElement("rect", [("class", "bar"), ("x", SVGElement.number(cx - half)),
                                               ("y", SVGElement.number(min(base, cy))), ("width", SVGElement.number(2 * half)),
                                               ("height", SVGElement.number(abs(base - cy))), ("fill", color), ("fill-opacity", "0.7")]))
            case .point:
                out.append(SVGElement("circle", [("class", "point"), ("cx", SVGElement.number(cx)), ("cy", SVGElement.number(cy)),
                                                 ("r", "3"), ("fill", color)]))
            }
            if let a = py.clamp(lower[i]), let b = py.clamp(upper[i]) {
                let line = { (x1: Double, y1: Double, x2: Double, y2: Double) in
                    SVGElement("line", [("class", "error-bar"), ("x1", SVGElement.number(x1)), ("y1", SVGElement.number(y1)),
                                        ("x2", SVGElement.number(x2)), ("y2", SVGElement.number(y2)), ("stroke", "#333333")])
                }
                out += [line(cx, a, cx, b), line(cx - 3, a, cx + 3, a), line(cx - 3, b, cx + 3, b)]
            }
            return out
        }
    }
}
