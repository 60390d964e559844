import Foundation
import Twins

/// Text rendering of `dtb twin assimilate` and `dtb twin validate`.
enum TwinAssimilationText {
    static func outcome(_ o: TwinAssimilationOutcome) -> [String] {
        let kinds = o.hyperparameters.map { "\($0.kind.rawValue) [\(number($0.bounds.lower)), \(number($0.bounds.upper))]" }.joined(separator: ", ")
        var lines = ["\(o.twin)@\(o.version) \(o.action.rawValue) from v\(o.parent): \(o.frames) frames of measure \(o.measure), \(o.members) members, \(o.fittedUnits) units, \(kinds)"]
        let band = o.observation.band.map { " into [\(number($0.lowerBound)), \(number($0.upperBound))]" } ?? ""
        lines.append("  observation \(o.observation.preset.rawValue)\(band), \(o.observation.droppedFrames) frames dropped" + (o.warmStart.map { ", warm start from v\($0)" } ?? ""))
        lines.append("  fit: ensemble-mean BOLD vs data r \(optional(o.fit.boldR)) forecast, \(optional(o.fit.trackingR)) analysed (after \(o.fit.transientFrames) frames); " + String(format: "%.1f s, %.2f s per frame", o.wallSeconds, o.secondsPerFrame))
        return lines
    }

    static func validation(_ v: TwinValidationReport) -> [String] {
        var lines = ["validation \(v.validation): \(v.twin)@\(v.version) on measure \(v.measure) (\(v.replay) replay\(v.replay == "mean" ? ", out of sample" : ""), \(v.frames) frames)"]
        lines.append("  all units:         " + figures(v.all))
        if let a = v.assimilated { lines.append("  assimilated units: " + figures(a)) }
        if let o = v.other { lines.append("  other units:       " + figures(o)) }
        let b = v.baselines
        var baseline = "  baselines: data FC vs SC r \(optional(b.empiricalFCStructure)), vs log SC r \(optional(b.empiricalFCLogStructure))"
        if let built = b.builtVersion { baseline += "; built v\(built): BOLD r \(optional(b.builtBoldR)), FC r \(optional(b.builtFCSimilarity))" }
        lines.append(baseline)
        return lines
    }

    static func figures(_ f: ValidationFigures) -> String {
        "\(f.units) units, BOLD r \(optional(f.boldR)) (lag \(f.lag.map(String.init) ?? "—")), FC r \(optional(f.fcSimilarity)), FC distance \(optional(f.fcDistance)), FCD KS \(optional(f.fcdKS))"
    }

    static func optional(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }
    static func number(_ x: Double) -> String { String(format: "%g", x) }
}
