/// Points drawn as small circles (e.g. FC against SC per pair of regions).
public struct ScatterLayer: PlotLayer {
    /// The x coordinates.
    public var x: [Double]
    /// The y coordinates, one per x.
    public var y: [Double]
    /// The legend entry.
    public var name: String?
    /// The fill colour.
    public var color: String
    /// The circle radius in pixels.
    public var radius: Double

    /// A scatter of the pairs (x[i], y[i]).
    public init(x: [Double], y: [Double], name: String? = nil, color: String = "#1f77b4", radius: Double = 2.5) {
        self.x = x; self.y = y; self.name = name; self.color = color; self.radius = radius
    }

    /// Every x.
    public var xValues: [Double] { x }
    /// Every y.
    public var yValues: [Double] { y }

    /// One circle per point the axes can show.
    public func elements(x px: ResolvedAxisMap, y py: ResolvedAxisMap) -> [SVGElement] {
        zip(x, y).compactMap { a, b in
            guard let cx = px(a), let cy = py(b) else { return nil }
            return SVGElement("circle", [("class", "point"), ("cx", SVGElement.number(cx)), ("cy", SVGElement.number(cy)),
                                         ("r", SVGElement.number(radius)), ("fill", color)])
        }
    }
}
