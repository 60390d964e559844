/// A polyline through (x, y) points, optionally over a shaded band (lower … upper per point, e.g.
/// a confidence interval or ± one standard deviation). Points the axes cannot show split the line.
public struct LineLayer: PlotLayer {
    /// The x coordinates.
    public var x: [Double]
    /// The y coordinates, one per x.
    public var y: [Double]
    /// The band's lower and upper edges, one each per x; nil for no band.
    public var band: (lower: [Double], upper: [Double])?
    /// The legend entry.
    public var name: String?
    /// The stroke (and band fill) colour.
    public var color: String

    /// A line; the band's arrays must be as long as x (a mismatched band is not drawn).
    public init(x: [Double], y: [Double], band: (lower: [Double], upper: [Double])? = nil, name: String? = nil, color: String = "#1f77b4") {
        self.x = x; self.y = y; self.band = band; self.name = name; self.color = color
    }

    /// Every x.
    public var xValues: [Double] { x }
    /// Every y and band edge.
    public var yValues: [Double] { y + (band.map { $0.lower + $0.upper } ?? []) }

    /// The band polygon, then the line's segments.
    public func elements(x px: ResolvedAxisMap, y py: ResolvedAxisMap) -> [SVGElement] {
        var out: [SVGElement] = []
        if let band, band.lower.count == x.count, band.upper.count == x.count {
            let upper = x.indices.compactMap { i in px(x[i]).flatMap { a in py.clamp(band.upper[i]).map { (a, $0) } } }
            let lower = x.indices.reversed().compactMap { i in px(x[i]).flatMap { a in py.clamp(band.lower[i]).map { (a, $0) } } }
            if upper.count >= 2 {
                out.append(SVGElement("polygon", [("class", "band"), ("points", Self.points(upper + lower)),
                                                  ("fill", color), ("fill-opacity", "0.25"), ("stroke", "none")]))
            }
        }
        var run: [(Double, Double)] = []
        func flush() {
            if run.count >= 2 {
                out.append(SVGElement("polyline", [("class", "line"), ("points", Self.points(run)), ("fill", "none"),
                                                   ("stroke", color), ("stroke-width", "1.5")]))
            }
            run = []
        }
        for i in x.indices where i < y.count {
            if let a = px(x[i]), let b = py(y[i]) { run.append((a, b)) } else { flush() }
        }
        flush()
        return out
    }

    /// "x,y x,y …" of pixel points.
    static func points(_ p: [(Double, Double)]) -> String {
        p.map { "\(SVGElement.number($0.0)),\(SVGElement.number($0.1))" }.joined(separator: " ")
    }
}
