import Foundation
import Interventions
import Postgres

/// Turns the user's interventions into the twin's: regions into unit names, a receptor map into
/// per-unit values, a stimulation file into samples, with a sweep's value in place.
struct InterventionResolver {
    let selection: RegionSelection
    let connection: PostgresConnection
    /// The twin's subject (a receptor map must be one of its regional measures).
    let subjectID: Int

    func resolve(_ spec: InterventionSpec, sweep: (key: String, value: Double)? = nil) throws -> Intervention {
        var spec = spec
        if let sweep, spec.sweeps(sweep.key) { spec.parameters[sweep.key] = String(sweep.value) }
        let text = spec.text
        func regions(_ key: String) throws -> [String] { try selection.units(spec.parameters[key]!, in: text) }
        func number(_ key: String, _ fallback: Double? = nil) throws -> Double {
            guard let x = try spec.number(key, fallback) else { throw StudyError.invalid("intervention '\(text)': \(spec.kind) needs \(key)=…") }
            return x
        }
        switch spec.kind {
        case "lesion":
            return .lesion(from: try regions("from"), to: try regions("to"))
        case "silence":
            return .silence(units: try regions("regions"))
        case "rewire":
            let model = try rewiringModel(spec.parameters["model"], text)
            let k = try number("k", 4)
            guard k == k.rounded() else { throw StudyError.invalid("intervention '\(text)': k=\(k) is not a whole number") }
            return .rewire(rewiring: Rewiring(model: model, probability: try number("p"), neighbours: Int(k)))
        case "stimulate":
            return .stimulate(stimulation: Stimulation(units: try regions("regions"), waveform: try waveform(spec, number),
                                          onset: try number("onset", 0), offset: try spec.number("offset")))
        default:
            guard let channel = ReceptorChannel(rawValue: spec.parameters["channel"]!.lowercased()) else {
                throw StudyError.invalid("intervention '\(text)': channel '\(spec.parameters["channel"]!)' is not ampa, nmda, gabaa or gabab")
            }
            let units = try spec.parameters["regions"].map { _ in try regions("regions") }
            let map = try spec.parameters["map"].map { try regionalMap($0, text) }
            return .receptor(change: ReceptorChange(channel: channel, factor: try number("factor"), units: units, map: map))
        }
    }

    private func rewiringModel(_ name: String?, _ text: String) throws -> Rewiring.Model {
        guard let name else { return .nearest }
        guard let model = Rewiring.Model(rawValue: name.lowercased()) else {
            throw StudyError.invalid("intervention '\(text)': model '\(name)' is not \(Rewiring.Model.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return model
    }

    private func waveform(_ spec: InterventionSpec, _ number: (String, Double?) throws -> Double) throws -> Stimulation.Waveform {
        let text = spec.text
        switch spec.parameters["waveform"]!.lowercased() {
        case "pulses", "pulse":
            return .pulses(frequency: try number("frequency", nil), width: try number("width", nil), amplitude: try number("amplitude", nil))
        case "sine", "sinusoid":
            return .sine(frequency: try number("frequency", nil), amplitude: try number("amplitude", nil))
        case "constant":
            return .constant(amplitude: try number("amplitude", nil))
        case "series":
            guard let path = spec.parameters["file"] else { throw StudyError.invalid("intervention '\(text)': a series needs file=PATH") }
            return .series(samples: try Self.series(path), interval: try number("interval", nil))
        case let other:
            throw StudyError.invalid("intervention '\(text)': waveform '\(other)' is not pulses, sine, constant or series")
        }
    }

    /// A time-series file: one number per line (blank lines and `#` comments skipped).
    static func series(_ path: String) throws -> [Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StudyError.notFound("\(path): cannot read the stimulation series")
        }
        var values: [Double] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let item = line.trimmingCharacters(in: .whitespaces)
            if item.isEmpty || item.hasPrefix("#") { continue }
            guard let x = Double(item), x.isFinite else { throw StudyError.invalid("\(path): line \(n + 1) '\(item)' is not a number") }
            values.append(x)
        }
        guard !values.isEmpty, values.count <= 10_000_000 else {
            throw StudyError.invalid("\(path): a stimulation series has 1 to 10,000,000 values (this one \(values.count))")
        }
        return values
    }

    /// A regional measure of the subject, by id, as values per region name.
    private func regionalMap(_ id: String, _ text: String) throws -> [String: Double] {
        guard let measure = Int(id) else { throw StudyError.invalid("intervention '\(text)': map=\(id) is not a measure id (`dtb subject show` lists them)") }
        let rows = try connection.query("""
            SELECT r.name, v.value FROM regional_value v JOIN region r ON r.id = v.region_id JOIN measure m ON m.id = v.measure_id
              JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
             WHERE m.id = $1 AND se.subject_id = $2 AND m.atlas_id = $3
            """, [measure, subjectID, selection.atlasID])
        guard !rows.isEmpty else {
            throw StudyError.notFound("intervention '\(text)': measure \(measure) is not a regional measure of the twin's subject on its atlas")
        }
        return Dictionary(rows.map { ($0[0].string!, $0[1].double!) }, uniquingKeysWith: { a, _ in a })
    }
}
