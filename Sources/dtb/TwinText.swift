import Foundation
import Twins

/// Text rendering of `dtb twin show`.
enum TwinText {
    /// The version's header, inputs and fallbacks, its lobes (and units), and its runs.
    static func detail(_ detail: TwinVersionDetail, units: Bool) -> [String] {
        let v = detail.version
        var lines = ["\(v.twin)@\(v.version)  sub-\(v.subject)  \(v.atlas)/\(v.level.rawValue)  \(v.origin), \(v.status)\(v.parent.map { ", parent v\($0)" } ?? "")  \(v.createdAt)",
                     "  \(v.neurons) neurons, \(v.synapses) synapses, K \(v.parameters.meanInDegree), seed \(v.seed), dt \(v.parameters.dt) ms, BOLD \(v.bold.name), \(v.codeVersion)",
                     "  network \(v.networkDigest)"]
        lines += v.inputs.map { "  input \($0.role.rawValue): \(input($0))" }
        if let s = v.parameters.sv2aFallback { lines.append("  fallback sv2a: \(s.rawValue)") }
        if let d = v.parameters.dwiFallback { lines.append("  fallback dwi: \(d.rawValue)") }
        lines.append("lobes:")
        lines += detail.lobes.map { l in
            "  " + pad(l.lobe, 22) + String(format: " %4d units %10d neurons  K %6.1f", l.units, l.neurons, l.meanInDegree)
        }
        if units {
            lines.append("units:")
            lines += detail.units.map { u in
                String(format: "  %4d ", u.label) + pad(u.name, 14) + " " + pad(u.kind, 12)
                    + String(format: " %8d neurons  K %6.1f  s_v %.3f  %d long-range", u.neurons, u.meanInDegree, u.sv2aScale, u.longRangeInputs)
            }
        }
        lines += v.runs.map { r in
            String(format: "run %d: %.1f s, seed ", r.run, r.seconds) + String(r.seed)
                + String(format: ", TR %.2f s, %d spikes, %.2f Hz, %.1f s wall  ", r.repetitionTime, r.spikes, r.meanRateHz, r.wallSeconds)
                + r.file.path
        }
        return lines
    }

    /// Each version with its changes, its fit and its validations over time.
    static func history(_ history: TwinHistory) -> [String] {
        var lines = ["\(history.twin)  sub-\(history.subject)  \(history.atlas)/\(history.level.rawValue)"]
        for v in history.versions {
            lines.append("v\(v.version)  \(v.createdAt)  \(v.origin), \(v.status)  \(v.neurons) neurons  \(v.synapses) synapses  \(v.networkDigest.prefix(12))…")
            for c in v.changes { lines.append("    \(c.kind) \(c.what): \(c.from ?? "—") → \(c.to ?? "—")") }
            if let a = v.assimilation {
                lines.append("    fitted to measure \(a.measure): \(a.frames) frames, \(a.members) members, \(a.fittedUnits) units, \(a.hyperparameters.joined(separator: ",")), \(a.observation)"
                             + (a.warmStart.map { ", warm start v\($0)" } ?? "") + ", fit r \(TwinAssimilationText.optional(a.fitBoldR)) (tracking \(TwinAssimilationText.optional(a.fitTrackingR)))"
                             + (a.framesDone < a.frames ? " (\(a.framesDone)/\(a.frames) frames so far)" : ""))
            }
            for x in v.validations {
                lines.append("    validation \(x.validation) \(x.createdAt): measure \(x.measure) \(x.replay)\(x.replay == "mean" ? " (out of sample)" : "")  BOLD r \(TwinAssimilationText.optional(x.boldR))  FC r \(TwinAssimilationText.optional(x.fcSimilarity))  FC distance \(TwinAssimilationText.optional(x.fcDistance))  FCD KS \(TwinAssimilationText.optional(x.fcdKS))")
            }
        }
        return lines
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func input(_ i: TwinVersionInput) -> String {
        (i.session.isEmpty ? "" : "ses-\(i.session) ") + "\(i.scanPath) v\(i.scanVersion) [\(i.pipeline)] (measure \(i.measure))"
    }
}
