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

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func input(_ i: TwinVersionInput) -> String {
        (i.session.isEmpty ? "" : "ses-\(i.session) ") + "\(i.scanPath) v\(i.scanVersion) [\(i.pipeline)] (measure \(i.measure))"
    }
}
