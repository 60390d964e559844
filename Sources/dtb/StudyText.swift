import Foundation
import Studies

/// The text of `dtb study` commands.
enum StudyText {
    static func report(_ r: StudyReport, top: Int = 15) -> [String] {
        let s = r.settings
        var lines = ["study \(r.study) on \(r.twin): \(r.status), \(s.seeds.count) seeds × \(r.arms.count) arms, \(f(s.seconds)) s recorded after \(f(s.warmupSeconds)) s (TR \(f(s.repetitionTime)) s, \(s.replay))"]
        for arm in r.arms {
            let similarity = arm.fcSimilarity.map { v in
                "FC r \(String(format: "%.3f", v))" + (arm.fcSimilarityLower.map { String(format: " [%.3f, %.3f]", $0, arm.fcSimilarityUpper!) } ?? "")
            } ?? "FC r –"
            let rate = arm.meanRateHz.map { String(format: "%.2f Hz", $0) } ?? "–"
            lines.append("  arm \(arm.arm) \(arm.label): \(arm.runs) runs, \(rate), \(similarity)")
        }
        if let t = r.trend {
            lines.append(String(format: "  trend of FC r on %@: slope %.4f ± %.4f per unit, p %.3g (%d runs)", t.key, t.slope, t.standardError, t.p, t.runs))
        }
        guard !r.effects.isEmpty else { return lines }
        lines.append("largest effects (difference [95 % CI], d_z, q):")
        for e in r.effects.prefix(top) {
            let ci = e.lower.map { String(format: " [%.4g, %.4g]", $0, e.upper!) } ?? ""
            let d = e.effectSize.map { String(format: "%.2f", $0) } ?? "–"
            let q = e.q.map { String(format: "%.3g", $0) } ?? "–"
            lines.append("  arm \(e.arm) \(e.outcome) \(e.unit): \(String(format: "%.4g", e.difference))\(ci), d_z \(d), q \(q)")
        }
        return lines
    }

    private static func f(_ x: Double) -> String { String(format: "%g", x) }
}
