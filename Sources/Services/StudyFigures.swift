import Foundation
import Plots
import Studies

/// The SVG figures of a study: per treated arm its effect on each region's firing rate
/// (effects-arm-K.svg, the 30 largest with 95 % intervals) and its FC difference from the
/// untreated arm (fc-difference-arm-K.svg); with a sweep, the swept value against FC similarity
/// (sweep.svg).
enum StudyFigures {
    static func write(_ report: StudyReport, fc: (units: [String], arms: [Int: [[Double]]]), into folder: URL) throws -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        catch { throw ServiceError.invalidOption("--plots", value: folder.path, problem: "cannot be created as a folder") }
        return try documents(report, fc: fc).map { name, document in
            let url = folder.appendingPathComponent(name)
            do { try document.write(to: url) } catch {
                throw ServiceError.invalidOption("--plots", value: folder.path, problem: "\(name) cannot be written there")
            }
            return url
        }
    }

    /// The figures by file name, in the order `write` writes them (the dashboard shows the same).
    static func documents(_ report: StudyReport, fc: (units: [String], arms: [Int: [[Double]]])) -> [(name: String, document: SVGDocument)] {
        var figures: [(name: String, document: SVGDocument)] = []
        for arm in report.arms where arm.arm > 0 {
            let effects = report.effects.filter { $0.arm == arm.arm && $0.outcome == "rate_hz" }.prefix(30)
            if !effects.isEmpty { figures.append(("effects-arm-\(arm.arm).svg", self.effects(Array(effects), arm: arm, study: report.study))) }
            if let treated = fc.arms[arm.arm], let control = fc.arms[0], !treated.isEmpty {
                let difference = zip(treated, control).map { zip($0, $1).map { $0 - $1 } }
                let extent = max(difference.flatMap { $0 }.map(abs).max() ?? 0, 1e-6)
                figures.append(("fc-difference-arm-\(arm.arm).svg",
                                Heatmap(title: "FC difference, \(arm.label) − untreated (\(report.study))", values: difference,
                                        rowLabels: fc.units, columnLabels: fc.units,
                                        colors: ColorScale(.diverging, values: [], range: -extent...extent), legendTitle: "Δ Pearson r").document()))
            }
        }
        if let sweep = report.settings.sweep { figures.append(("sweep.svg", self.sweep(report, key: sweep.key))) }
        return figures
    }

    /// Bars of the rate difference per region with their intervals, largest effects first.
    static func effects(_ effects: [StudyEffect], arm: StudyReport.Arm, study: String) -> SVGDocument {
        let x = effects.indices.map(Double.init)
        let layer = ErrorBarLayer(x: x, y: effects.map(\.difference), lower: effects.map { $0.lower ?? $0.difference },
                                  upper: effects.map { $0.upper ?? $0.difference }, style: .bar, color: "#d62728")
        return Chart(title: "Effect on firing rate, \(arm.label) (\(study))", x: Axis("region"), y: Axis("Δ rate", unit: "Hz"),
                     layers: [layer], categories: effects.map(\.unit)).document()
    }

    /// Each arm's mean FC similarity with its 95 % interval against the swept value.
    static func sweep(_ report: StudyReport, key: String) -> SVGDocument {
        let arms = report.arms.filter { $0.sweepValue != nil && $0.fcSimilarity != nil }
        let layer = ErrorBarLayer(x: arms.map { $0.sweepValue! }, y: arms.map { $0.fcSimilarity! },
                                  lower: arms.map { $0.fcSimilarityLower ?? $0.fcSimilarity! },
                                  upper: arms.map { $0.fcSimilarityUpper ?? $0.fcSimilarity! }, style: .point)
        return Chart(title: "FC similarity to the subject against \(key) (\(report.study))", x: Axis(key),
                     y: Axis("FC similarity", unit: "Pearson r"), layers: [layer]).document()
    }
}
