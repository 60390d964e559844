import Analyses
import Foundation
import Plots
import Services

/// A twin run against a subject's BOLD measure: empirical and simulated FC heatmaps side by side
/// with their difference, and BOLD traces of chosen regions overlaid (each series z-scored, since
/// the model's BOLD and the scanner's have different units).
struct ComparisonPage {
    var twin: String
    var simulated: AnalysisSeries
    var empirical: AnalysisSeries
    /// Regions whose traces are drawn; nil: the first three shared by both.
    var regions: [String]?

    /// The regions both series have, in the empirical order.
    private var shared: [String] {
        let simulatedRegions = Set(simulated.regions)
        return empirical.regions.filter(simulatedRegions.contains)
    }

    var page: HTMLPage {
        let regions = shared
        let simulatedFC = FunctionalConnectivity(Self.columns(simulated, regions)), empiricalFC = FunctionalConnectivity(Self.columns(empirical, regions))
        let n = regions.count
        let rows = { (fc: FunctionalConnectivity) in (0..<n).map { i in Array(fc.matrix[(i * n)..<((i + 1) * n)]) } }
        let difference = zip(rows(simulatedFC), rows(empiricalFC)).map { zip($0, $1).map { $0 - $1 } }
        let r = simulatedFC.similarity(to: empiricalFC)
        let scale = ColorScale(.diverging, values: [], range: -1...1)
        let heatmaps = [
            Heatmap(title: "empirical FC (\(empirical.title))", values: rows(empiricalFC), colors: scale, legendTitle: "Pearson r", size: 300),
            Heatmap(title: "simulated FC (\(simulated.title))", values: rows(simulatedFC), colors: scale, legendTitle: "Pearson r", size: 300),
            Heatmap(title: "simulated − empirical", values: difference, legendTitle: "Δ Pearson r", size: 300),
        ]
        let body = "<p>\(n) shared regions; FC similarity (r of the off-diagonal entries) \(HTMLPage.number(r)).</p>"
            + "<h2>Functional connectivity</h2><div class=\"plots\">" + heatmaps.map { HTMLPage.inline($0.document()) }.joined() + "</div>"
            + "<h2>BOLD</h2><p>Regions: \(HTMLPage.escape(traced.joined(separator: ", "))) (choose with <code>?regions=A,B</code>).</p>"
            + "<div class=\"plots\">" + HTMLPage.inline(traces.document()) + "</div>"
        return HTMLPage(title: "\(twin): run against measure", body: body)
    }

    /// The traced regions: those asked for that both series have, else the first three shared.
    private var traced: [String] {
        let available = Set(shared)
        let asked = (regions ?? []).filter(available.contains)
        return asked.isEmpty ? Array(shared.prefix(3)) : asked
    }

    private var traces: Chart {
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        var layers: [any PlotLayer] = []
        for (k, region) in traced.enumerated() {
            for (series, kind) in [(empirical, "empirical"), (simulated, "simulated")] {
                guard let column = series.regions.firstIndex(of: region) else { continue }
                let values = Self.zScored(series.frames.map { $0[column] })
                let times = values.indices.map { Double($0 + 1) / series.samplingRate }
                let color = palette[(2 * k + (kind == "simulated" ? 1 : 0)) % palette.count]
                layers.append(LineLayer(x: times, y: values, name: "\(region) \(kind)", color: color))
            }
        }
        return Chart(title: "BOLD, empirical and simulated", x: Axis("time", unit: "s"), y: Axis("BOLD", unit: "z-score"), layers: layers,
                     width: 900, height: 380)
    }

    /// Frames × the named regions of `series`.
    static func columns(_ series: AnalysisSeries, _ regions: [String]) -> [[Double]] {
        let index = Dictionary(series.regions.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let columns = regions.compactMap { index[$0] }
        return series.frames.map { row in columns.map { row[$0] } }
    }

    /// (x − mean) / sd; zeros for a constant series.
    static func zScored(_ values: [Double]) -> [Double] {
        guard !values.isEmpty else { return [] }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        return values.map { sd > 0 ? ($0 - mean) / sd : 0 }
    }
}
