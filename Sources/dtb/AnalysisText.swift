import Foundation
import Services

/// The text form of `dtb analyze`: one block per analysis, the strongest findings first.
enum AnalysisText {
    /// How many Granger links the text shows (the JSON has all).
    static let shownLinks = 10

    /// The report's lines, without newlines.
    static func lines(_ report: AnalysisReport) -> [String] {
        var out = ["\(report.source): \(report.frames) frames at \(format(report.samplingRateHz)) Hz, \(report.regions.count) regions"]
        if let psd = report.psd {
            out.append("PSD (Welch, segments of \(psd.segmentLength), overlap \(psd.overlap)): peak frequency per region")
            out += psd.regions.map { "  \($0.region): \($0.peakFrequencyHz.map { format($0) + " Hz" } ?? "no peak")" }
        }
        if let granger = report.granger {
            out.append("Granger causality (VAR(\(granger.order)) by BIC among 1–\(granger.maxOrder)), strongest links:")
            out += granger.links.prefix(shownLinks).map {
                "  \($0.source) → \($0.target): \(format($0.strength)) (F \(format($0.fStatistic)), p \(format($0.pValue)))"
            }
        }
        if let sync = report.sync {
            out.append("Phase synchrony \(format(sync.bandHz[0]))–\(format(sync.bandHz[1])) Hz: mean Kuramoto R \(format(sync.meanOrderParameter))")
        }
        if let fcd = report.fcd {
            out.append("FCD (windows of \(fcd.windowFrames) frames, step \(fcd.stepFrames)): mean \(format(fcd.fcdMean)), sd \(format(fcd.fcdSd)) over \(fcd.fcdValues) window pairs")
            if let sc = fcd.structure {
                out.append("FC–SC (tract density, measure \(sc.measure)): r \(sc.r.map(format) ?? "undefined"), with log SC \(sc.logR.map(format) ?? "undefined")")
            }
        }
        if let a = report.avalanches {
            out.append("Avalanches (\(format(a.binMs)) ms bins): \(a.count), branching ratio \(a.branchingRatio.map(format) ?? "undefined")")
            for (name, fit) in [("sizes", a.sizes), ("durations", a.durations)] {
                guard let fit else { out.append("  \(name): too few for a power law"); continue }
                let versus = fit.comparisons.map { "vs \($0.alternative) R \(format($0.logLikelihoodRatio)), p \(format($0.pValue))" }
                out.append("  \(name): exponent \(format(fit.exponent)) ± \(format(fit.standardError)) from \(fit.xMin) (\(fit.tailCount) in the tail, KS \(format(fit.ksDistance))); " + versus.joined(separator: "; "))
            }
            if let predicted = a.cracklingPredicted, let fitted = a.cracklingFitted {
                out.append("  crackling noise: <S>(T) exponent \(format(fitted)) ± \(format(a.cracklingStandardError ?? .nan)), predicted \(format(predicted))")
            }
        }
        if let plots = report.plots { out += plots.map { "wrote \($0)" } }
        return out
    }

    /// Four significant digits.
    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
