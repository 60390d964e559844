import Foundation
import Plots
import Testing

@Suite("SVG plots")
struct PlotsTests {
    /// Heckbert's nice ticks and their labels.
    @Test func niceTicks() {
        #expect(NiceTicks.linear(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(NiceTicks.linear(-0.93, 0.87) == [-1, -0.5, 0, 0.5, 1])
        #expect(NiceTicks.linear(3, 97) == [0, 20, 40, 60, 80, 100])
        #expect(NiceTicks.linear(1, 1) == [])
        #expect(NiceTicks.decades(-1, 2) == [0.1, 1, 10, 100])
        #expect(NiceTicks.label(0.2) == "0.2")
        #expect(NiceTicks.label(-0.5) == "\u{2212}0.5")
        #expect(NiceTicks.label(1000) == "1000")
        #expect(NiceTicks.label(1e-4) == "0.0001")
    }

    /// A line with a band: the axes' titles carry the units, the ticks cover the data, the band is
    /// drawn under the line, the line's points lie in the plot area, and the legend names the layer.
    @Test func lineWithBand() throws {
        let x = (0...50).map { Double($0) }
        let y = x.map { sin($0 / 8) }
        let chart = Chart(title: "PSD <region & \"V1\">", x: Axis("frequency", unit: "Hz"), y: Axis("power", unit: "a.u."),
                          layers: [LineLayer(x: x, y: y, band: (y.map { $0 - 0.2 }, y.map { $0 + 0.2 }), name: "V1 & V2")])
        let svg = try ParsedSVG(chart.document().render())
        #expect(svg.withClass("title").map(\.text) == ["PSD <region & \"V1\">"])
        #expect(svg.withClass("axis-title").map(\.text) == ["frequency [Hz]", "power [a.u.]"])
        #expect(svg.tickLabels(in: "x-axis") == ["0", "10", "20", "30", "40", "50"])
        let yTicks = svg.tickLabels(in: "y-axis")
        #expect(yTicks.first == "\u{2212}1.5" && yTicks.last == "1.5")
        #expect(svg.withClass("band").count == 1 && svg.withClass("line").count == 1)
        let bandIndex = try #require(svg.elements.firstIndex { $0.attributes["class"] == "band" })
        let lineIndex = try #require(svg.elements.firstIndex { $0.attributes["class"] == "line" })
        #expect(bandIndex < lineIndex)
        let area = try #require(svg.withClass("plot-area").first)
        let (left, top) = (try #require(area.number("x")), try #require(area.number("y")))
        let (right, bottom) = (left + (try #require(area.number("width"))), top + (try #require(area.number("height"))))
        let points = try #require(svg.withClass("line").first?.attributes["points"]).split(separator: " ").map {
            $0.split(separator: ",").compactMap { Double($0) }
        }
        #expect(points.count == 51)
        #expect(points.allSatisfy { $0.count == 2 && $0[0] >= left && $0[0] <= right && $0[1] >= top && $0[1] <= bottom })
        // x = 0 at the left edge and 50 at the right: the nice range is exactly the data's.
        #expect(abs(points[0][0] - left) < 0.01 && abs(points[50][0] - right) < 0.01)
        #expect(svg.elements.filter { $0.attributes["class"] == "legend-label" }.map(\.text) == ["V1 & V2"])
    }

    /// A log–log scatter: decade ticks, and points of a power law on a straight line; non-positive
    /// values are left out.
    @Test func logLogScatter() throws {
        let x = [1.0, 10, 100, 1000, 0, -5]
        let y = [1.0, 0.1, 0.01, 0.001, 1, 1]
        let chart = Chart(title: "sizes", x: Axis("size", unit: "spikes", scale: .log), y: Axis("P(S)", scale: .log),
                          layers: [ScatterLayer(x: x, y: y)])
        let svg = try ParsedSVG(chart.document().render())
        #expect(svg.tickLabels(in: "x-axis") == ["1", "10", "100", "1000"])
        #expect(svg.tickLabels(in: "y-axis") == ["0.001", "0.01", "0.1", "1"])
        let points = svg.withClass("point").compactMap { p in p.number("cx").flatMap { cx in p.number("cy").map { (cx, $0) } } }
        #expect(points.count == 4)
        // Equal steps in log x and log y: a straight line with equal spacing.
        let dx = points[1].0 - points[0].0, dy = points[1].1 - points[0].1
        #expect(zip(points, points.dropFirst()).allSatisfy { abs($1.0 - $0.0 - dx) < 0.02 && abs($1.1 - $0.1 - dy) < 0.02 })
        #expect(svg.withClass("legend").isEmpty)
    }

    /// Bars with error bars over named categories: one bar and three whisker lines per value, the
    /// category names as tick labels, and a bar from zero up for a positive value.
    @Test func barsWithErrorBars() throws {
        let layer = ErrorBarLayer(x: [0, 1, 2], y: [1.5, -0.5, 2], lower: [1, -1, 1.2], upper: [2, 0, 2.8], style: .bar, name: "effect")
        let chart = Chart(title: "effect per region", x: Axis("region"), y: Axis("Δ rate", unit: "Hz"), layers: [layer],
                          categories: ["V1", "hippocampus", "M1"])
        let svg = try ParsedSVG(chart.document().render())
        #expect(svg.tickLabels(in: "x-axis") == ["V1", "hippocampus", "M1"])
        #expect(svg.withClass("bar").count == 3)
        #expect(svg.withClass("error-bar").count == 9)
        let bars = svg.withClass("bar")
        let first = try #require(bars.first), second = bars[1]
        // The positive bar ends at the zero line where the negative one starts.
        let zeroOfFirst = try #require(first.number("y")) + (try #require(first.number("height")))
        #expect(abs(zeroOfFirst - (try #require(second.number("y")))) < 0.02)
    }

    /// A heatmap: one cell per entry, diverging colours (white at zero, red for +1, blue for −1),
    /// labels escaped and parsed back, a colour bar with ticks spanning −1 … 1.
    @Test func heatmap() throws {
        let values: [[Double]] = [[1, -1, 0], [-1, 1, 0.5], [0, 0.5, 1]]
        let map = Heatmap(title: "FC difference", values: values, rowLabels: ["a<b", "c&d", "e"], columnLabels: ["a<b", "c&d", "e"],
                          legendTitle: "Δ Pearson r")
        let svg = try ParsedSVG(map.document().render())
        let cells = svg.withClass("cell")
        #expect(cells.count == 9)
        #expect(cells[0].attributes["fill"] == "#b2182b")
        #expect(cells[1].attributes["fill"] == "#2166ac")
        #expect(cells[2].attributes["fill"] == "#f7f7f7")
        #expect(svg.withClass("row-label").map(\.text) == ["a<b", "c&d", "e"])
        #expect(svg.tickLabels(in: "color-bar") == ["\u{2212}1", "\u{2212}0.5", "0", "0.5", "1"])
        #expect(svg.withClass("legend-title").map(\.text) == ["Δ Pearson r"])
        #expect(svg.elements.filter { $0.name == "title" }.first?.text == "a<b – a<b: 1")
    }

    /// Sequential colours run from the scale's dark end to its bright end; control characters in
    /// labels are dropped rather than breaking the XML.
    @Test func sequentialScaleAndEscaping() throws {
        let scale = ColorScale(.sequential, values: [2, 4, 6])
        #expect(scale.range == 2...6)
        #expect(scale.color(2) == "#440154" && scale.color(6) == "#fde725" && scale.color(100) == "#fde725")
        #expect(SVGElement.escape("a\u{1}b<'") == "ab&lt;&apos;")
        let svg = try ParsedSVG(SVGDocument(width: 10, height: 10, content: [SVGElement("text", text: "x\u{0}y")]).render())
        #expect(svg.elements.last?.text == "xy")
    }
}
