import Foundation
import Plots

/// The SVG figures of an analysis report, one file per analysis: psd.svg, granger.svg, sync.svg,
/// plv.svg, fc.svg.
enum AnalysisFigures {
    /// Line colours for up to ten regions, then repeated (Tableau 10).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Writes the figures of the report's sections into `folder` (created if needed); their URLs.
    static func write(_ report: AnalysisReport, into folder: URL) throws -> [URL] {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ServiceError.invalidOption("--plots", value: folder.path, problem: "cannot be created as a folder")
        }
        var figures: [(String, SVGDocument)] = []
        if let psd = report.psd { figures.append(("psd.svg", spectra(psd, source: report.source))) }
        if let granger = report.granger { figures.append(("granger.svg", causality(granger, regions: report.regions, source: report.source))) }
        if let sync = report.sync {
            figures.append(("sync.svg", orderParameter(sync, rate: report.samplingRateHz, source: report.source)))
            figures.append(("plv.svg", Heatmap(title: "Phase-locking value, \(report.source)", values: sync.phaseLockingValues,
                                               rowLabels: report.regions, columnLabels: report.regions,
                                               colors: ColorScale(.sequential, values: [], range: 0...1), legendTitle: "PLV").document()))
        }
        if let fcd = report.fcd {
            figures.append(("fc.svg", Heatmap(title: "FC, \(report.source)", values: fcd.fc, rowLabels: report.regions,
                                              columnLabels: report.regions, colors: ColorScale(.diverging, values: [], range: -1...1),
                                              legendTitle: "Pearson r").document()))
        }
        return try figures.map { name, document in
            let url = folder.appendingPathComponent(name)
            do { try document.write(to: url) } catch {
                throw ServiceError.invalidOption("--plots", value: folder.path, problem: "\(name) cannot be written there")
            }
            return url
        }
    }

    /// Each region's density against frequency on a log power axis (DC left out: a log axis cannot show 0 Hz's detrended ~0).
    static func spectra(_ psd: AnalysisReport.Spectra, source: String) -> SVGDocument {
        let layers = psd.regions.enumerated().map { i, region in
            LineLayer(x: Array(psd.frequenciesHz.dropFirst()), y: Array(region.density.dropFirst()),
                      name: psd.regions.count <= 10 ? region.region : nil, color: palette[i % palette.count])
        }
        return Chart(title: "Welch PSD, \(source)", x: Axis("frequency", unit: "Hz"), y: Axis("power density", unit: "a.u.²/Hz", scale: .log),
                     layers: layers).document()
    }

    /// Granger strength as a source × target heatmap (0 on the diagonal).
    static func causality(_ granger: AnalysisReport.Granger, regions: [String], source: String) -> SVGDocument {
        let index = Dictionary(regions.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var matrix = regions.map { _ in [Double](repeating: 0, count: regions.count) }
        for link in granger.links {
            if let s = index[link.source], let t = index[link.target] { matrix[s][t] = link.strength }
        }
        return Heatmap(title: "Granger causality (rows → columns, VAR(\(granger.order))), \(source)", values: matrix,
                       rowLabels: regions, columnLabels: regions, colors: ColorScale(.sequential, values: matrix.flatMap { $0 }),
                       legendTitle: "ln(RSS_r / RSS_f)").document()
    }

    /// R(t) against time.
    static func orderParameter(_ sync: AnalysisReport.Synchrony, rate: Double, source: String) -> SVGDocument {
        let t = sync.orderParameter.indices.map { Double($0) / rate }
        return Chart(title: "Kuramoto order parameter, \(sync.bandHz[0])–\(sync.bandHz[1]) Hz, \(source)", x: Axis("time", unit: "s"),
                     y: Axis("R", range: 0...1), layers: [LineLayer(x: t, y: sync.orderParameter)]).document()
    }
}
