/// An x–y chart: a title, two axes (linear or log, with units and nice ticks), layers drawn in
/// order inside the plot area, and a legend of the named layers. Classes on the elements
/// (`x-axis`, `tick`, `tick-label`, `axis-title`, `line`, `band`, `point`, `bar`, `error-bar`,
/// `legend`) let tests and style sheets find them.
public struct Chart: Sendable {
    /// The title above the plot.
    public var title: String
    /// The horizontal axis.
    public var x: Axis
    /// The vertical axis.
    public var y: Axis
    /// The layers, drawn first to last.
    public var layers: [any PlotLayer]
    /// Names for the ticks at 0, 1, 2, … on the x axis (regions under bars); nil for numeric ticks.
    public var categories: [String]?
    /// Size in pixels.
    public var width: Double, height: Double

    /// A chart; see the properties.
    public init(title: String, x: Axis, y: Axis, layers: [any PlotLayer], categories: [String]? = nil,
                width: Double = 640, height: Double = 420) {
        self.title = title; self.x = x; self.y = y; self.layers = layers; self.categories = categories
        self.width = width; self.height = height
    }

    /// Margins around the plot area: left, right, top, bottom.
    var margins: (left: Double, right: Double, top: Double, bottom: Double) {
        (70, layers.contains { $0.name != nil } ? 150 : 20, 36, categories == nil ? 50 : 90)
    }

    /// The SVG document.
    public func document() -> SVGDocument {
        let m = margins
        let left = m.left, right = width - m.right, top = m.top, bottom = height - m.bottom
        var xAxis = x
        if let categories, xAxis.range == nil { xAxis.range = -0.5...(Double(categories.count) - 0.5) }
        let rx = ResolvedAxis(xAxis, values: layers.flatMap(\.xValues), from: left, to: right)
        let ry = ResolvedAxis(y, values: layers.flatMap(\.yValues), from: bottom, to: top)
        var content: [SVGElement] = [label(title, x: width / 2, y: 20, className: "title")]
        content.append(SVGElement("rect", [("class", "plot-area"), ("x", SVGElement.number(left)), ("y", SVGElement.number(top)),
                                           ("width", SVGElement.number(right - left)), ("height", SVGElement.number(bottom - top)),
                                           ("fill", "none"), ("stroke", "#333333")]))
        let clip = SVGElement("clipPath", [("id", "plot-clip")], children: [
            SVGElement("rect", [("x", SVGElement.number(left)), ("y", SVGElement.number(top)),
                                ("width", SVGElement.number(right - left)), ("height", SVGElement.number(bottom - top))])])
        content.append(SVGElement("defs", children: [clip]))
        content.append(xTicks(rx, bottom: bottom))
        content.append(yTicks(ry, left: left))
        content.append(label(x.title, x: (left + right) / 2, y: height - 10, className: "axis-title"))
        content.append(label(y.title, x: 16, y: (top + bottom) / 2, className: "axis-title", rotate: true))
        let mx = ResolvedAxisMap(rx), my = ResolvedAxisMap(ry)
        content.append(SVGElement("g", [("class", "layers"), ("clip-path", "url(#plot-clip)")],
                                  children: layers.flatMap { $0.elements(x: mx, y: my) }))
        if let legend = legend(x: right + 12, y: top) { content.append(legend) }
        return SVGDocument(width: width, height: height, content: content)
    }

    /// The x axis' tick marks and labels (category names when given, rotated to fit).
    func xTicks(_ axis: ResolvedAxis, bottom: Double) -> SVGElement {
        let values = categories.map { $0.indices.map(Double.init) } ?? axis.ticks
        let children = values.flatMap { v -> [SVGElement] in
            guard let px = axis.position(v) else { return [] }
            let text = categories.map { $0[Int(v)] } ?? NiceTicks.label(v)
            return [SVGElement("line", [("class", "tick"), ("x1", SVGElement.number(px)), ("y1", SVGElement.number(bottom)),
                                        ("x2", SVGElement.number(px)), ("y2", SVGElement.number(bottom + 5)), ("stroke", "#333333")]),
                    categories == nil ? label(text, x: px, y: bottom + 18, className: "tick-label")
                        : label(text, x: px, y: bottom + 10, anchor: "end", className: "tick-label", rotate: true)]
        }
        return SVGElement("g", [("class", "x-axis")], children: children)
    }

    /// The y axis' tick marks and labels.
    func yTicks(_ axis: ResolvedAxis, left: Double) -> SVGElement {
        let children = axis.ticks.flatMap { v -> [SVGElement] in
            guard let py = axis.position(v) else { return [] }
            return [SVGElement("line", [("class", "tick"), ("x1", SVGElement.number(left - 5)), ("y1", SVGElement.number(py)),
                                        ("x2", SVGElement.number(left)), ("y2", SVGElement.number(py)), ("stroke", "#333333")]),
                    label(NiceTicks.label(v), x: left - 8, y: py + 4, anchor: "end", className: "tick-label")]
        }
        return SVGElement("g", [("class", "y-axis")], children: children)
    }

    /// A swatch and name per named layer; nil when no layer has a name.
    func legend(x: Double, y: Double) -> SVGElement? {
        let named = layers.filter { $0.name != nil }
        guard !named.isEmpty else { return nil }
        let rows = named.enumerated().flatMap { i, layer -> [SVGElement] in
            let top = y + Double(i) * 18
            return [SVGElement("rect", [("x", SVGElement.number(x)), ("y", SVGElement.number(top)), ("width", "12"),
                                        ("height", "12"), ("fill", layer.color)]),
                    label(layer.name ?? "", x: x + 18, y: top + 10, anchor: "start", className: "legend-label")]
        }
        return SVGElement("g", [("class", "legend")], children: rows)
    }
}
