/// A matrix drawn as coloured cells (an FC or PLV matrix, an FC difference), with row and column
/// labels and a colour bar whose ticks and title (with the unit) give the values.
public struct Heatmap: Sendable {
    /// The title above the matrix.
    public var title: String
    /// Rows × columns, row-major in nested arrays; rows may not be ragged.
    public var values: [[Double]]
    /// Row names (top to bottom) and column names (left to right); nil for none.
    public var rowLabels: [String]?, columnLabels: [String]?
    /// The colour scale; diverging for signed quantities.
    public var colors: ColorScale
    /// The colour bar's title, e.g. "Pearson r" or "Δ firing rate [Hz]".
    public var legendTitle: String
    /// The side of the square matrix area in pixels.
    public var size: Double

    /// A heatmap; `colors` nil chooses a diverging scale when the values change sign, else a sequential one.
    public init(title: String, values: [[Double]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
                colors: ColorScale? = nil, legendTitle: String, size: Double = 400) {
        self.title = title; self.values = values; self.rowLabels = rowLabels; self.columnLabels = columnLabels
        let all = values.flatMap { $0 }
        let signed = (all.min() ?? 0) < 0 && (all.max() ?? 0) > 0
        self.colors = colors ?? ColorScale(signed ? .diverging : .sequential, values: all)
        self.legendTitle = legendTitle; self.size = size
    }

    /// The SVG document: cells (class `cell`, each with a `title` tooltip), labels, colour bar.
    public func document() -> SVGDocument {
        let rows = values.count, columns = values.map(\.count).max() ?? 0
        let left = 110.0, top = 40.0, cell = size / Double(max(rows, columns, 1))
        var content: [SVGElement] = [label(title, x: left + size / 2, y: 20, className: "title")]
        var cells: [SVGElement] = []
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() {
                cells.append(SVGElement("rect", [("class", "cell"), ("x", SVGElement.number(left + Double(c) * cell)),
                                                 ("y", SVGElement.number(top + Double(r) * cell)), ("width", SVGElement.number(cell)),
                                                 ("height", SVGElement.number(cell)), ("fill", colors.color(v))],
                                        children: [SVGElement("title", text: "\(rowLabels?[safe: r] ?? "\(r)") – \(columnLabels?[safe: c] ?? "\(c)"): \(NiceTicks.label(v))")]))
            }
        }
        content.append(SVGElement("g", [("class", "cells")], children: cells))
        let fontSize = SVGElement.number(min(11, max(4, cell * 0.8)))
        if let rowLabels {
            content.append(SVGElement("g", [("class", "row-labels"), ("font-size", fontSize)], children: rowLabels.prefix(rows).enumerated().map {
                label($1, x: left - 4, y: top + (Double($0) + 0.7) * cell, anchor: "end", className: "row-label")
            }))
        }
        if let columnLabels {
            content.append(SVGElement("g", [("class", "column-labels"), ("font-size", fontSize)], children: columnLabels.prefix(columns).enumerated().map {
                label($1, x: left + (Double($0) + 0.7) * cell, y: top + size + 4, anchor: "end", className: "column-label", rotate: true)
            }))
        }
        content.append(colorBar(x: left + size + 30, top: top, height: size))
        return SVGDocument(width: left + size + 150, height: top + size + 110, content: content)
    }

    /// A vertical ramp of the colour scale with ticks at nice values and the legend title.
    func colorBar(x: Double, top: Double, height: Double) -> SVGElement {
        let steps = 64, range = colors.range
        let span = range.upperBound - range.lowerBound
        var children = (0..<steps).map { i -> SVGElement in
            let v = range.upperBound - (Double(i) + 0.5) / Double(steps) * span
            return SVGElement("rect", [("class", "swatch"), ("x", SVGElement.number(x)), ("y", SVGElement.number(top + Double(i) * height / Double(steps))),
                                       ("width", "16"), ("height", SVGElement.number(height / Double(steps) + 0.5)), ("fill", colors.color(v))])
        }
        for v in NiceTicks.linear(range.lowerBound, range.upperBound) where v >= range.lowerBound - 1e-12 * span && v <= range.upperBound + 1e-12 * span {
            let py = top + (range.upperBound - v) / span * height
            children.append(SVGElement("line", [("class", "tick"), ("x1", SVGElement.number(x + 16)), ("y1", SVGElement.number(py)),
                                                ("x2", SVGElement.number(x + 21)), ("y2", SVGElement.number(py)), ("stroke", "#333333")]))
            children.append(label(NiceTicks.label(v), x: x + 24, y: py + 4, anchor: "start", className: "tick-label"))
        }
        children.append(label(legendTitle, x: x + 8, y: top + height + 24, className: "legend-title"))
        return SVGElement("g", [("class", "color-bar")], children: children)
    }
}

extension Array {
    /// The element at `i`, nil outside the array.
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
