import Foundation

/// An intervention as the user gives it: a kind and its parameters, with regions named by
/// selectors (``RegionSelection``). Written `KIND:KEY=VALUE,KEY=VALUE…` on the command line, e.g.
/// `lesion:from=gyrus/MVOcC,to=yeo7/Ventral Attention`, and stored as given, beside what it
/// resolved to.
public struct InterventionSpec: Sendable, Codable, Equatable {
    /// The kinds and, per kind, the keys it takes (the first ones required).
    static let keys: [String: (required: [String], optional: [String])] = [
        "lesion": (["from", "to"], []),
        "silence": (["regions"], []),
        "rewire": (["p"], ["k", "model"]),
        "stimulate": (["regions", "waveform"], ["frequency", "width", "amplitude", "onset", "offset", "file", "interval"]),
        "receptor": (["channel", "factor"], ["regions", "map"]),
    ]
    /// Keys whose value is a number, and so may be swept.
    static let numeric: Set<String> = ["p", "k", "frequency", "width", "amplitude", "onset", "offset", "interval", "factor"]

    public var kind: String
    public var parameters: [String: String]

    public init(kind: String, parameters: [String: String]) { self.kind = kind; self.parameters = parameters }

    /// Parses `KIND:KEY=VALUE,…`; throws a one-line ``StudyError`` naming the text and the problem.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let kind = String(parts[0]).trimmingCharacters(in: .whitespaces).lowercased()
        guard let keys = Self.keys[kind] else {
            throw StudyError.invalid("intervention '\(text)': unknown kind '\(kind)' (lesion, silence, rewire, stimulate, receptor)")
        }
        var parameters: [String: String] = [:]
        for pair in (parts.count > 1 ? parts[1] : "").split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            let key = kv.first.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard kv.count == 2, keys.required.contains(key) || keys.optional.contains(key) else {
                throw StudyError.invalid("intervention '\(text)': '\(pair)' is not one of \(kind)'s KEY=VALUE (\((keys.required + keys.optional).joined(separator: ", ")))")
            }
            guard parameters[key] == nil else { throw StudyError.invalid("intervention '\(text)': \(key) is given twice") }
            parameters[key] = String(kv[1]).trimmingCharacters(in: .whitespaces)
        }
        for key in keys.required where parameters[key] == nil {
            throw StudyError.invalid("intervention '\(text)': \(kind) needs \(key)=…")
        }
        self.init(kind: kind, parameters: parameters)
    }

    /// The text it parses from (for messages and labels).
    public var text: String {
        kind + ":" + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: ",")
    }

    /// Whether `key` is one of its parameters that a sweep may set.
    func sweeps(_ key: String) -> Bool { Self.numeric.contains(key) && (Self.keys[kind].map { $0.required.contains(key) || $0.optional.contains(key) } ?? false) }

    /// A number parameter, or `fallback` when absent; throws for one that is not a finite number.
    func number(_ key: String, _ fallback: Double? = nil) throws -> Double? {
        guard let value = parameters[key] else { return fallback }
        guard let x = Double(value), x.isFinite else {
            throw StudyError.invalid("intervention '\(text)': \(key)=\(value) is not a number")
        }
        return x
    }
}

/// One parameter swept over values: a list `KEY=V1,V2,…` or a range `KEY=FROM:TO:STEP`.
public struct Sweep: Sendable, Codable, Equatable {
    public var key: String
    public var values: [Double]

    public init(key: String, values: [Double]) { self.key = key; self.values = values }

    /// Parses `--sweep`; throws for a sweep with no values, a bad number or a range that never ends.
    public init(parsing text: String) throws {
        let kv = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard kv.count == 2, !kv[0].isEmpty else { throw StudyError.invalid("--sweep '\(text)': give KEY=V1,V2,… or KEY=FROM:TO:STEP") }
        let key = String(kv[0]).lowercased(), body = String(kv[1])
        var values: [Double] = []
        if body.contains(":") {
            let r = body.split(separator: ":").map { Double($0) }
            guard r.count == 3, let from = r[0], let to = r[1], let step = r[2], from.isFinite, to.isFinite, step.isFinite,
                  step > 0, to >= from, (to - from) / step <= 1000 else {
                throw StudyError.invalid("--sweep '\(text)': a range is FROM:TO:STEP with FROM ≤ TO, STEP > 0 and at most 1000 values")
            }
            var k = 0.0
            while from + k * step <= to + step * 1e-9 { values.append(from + k * step); k += 1 }
        } else {
            for item in body.split(separator: ",") {
                guard let x = Double(item), x.isFinite else { throw StudyError.invalid("--sweep '\(text)': '\(item)' is not a number") }
                values.append(x)
            }
        }
        guard !values.isEmpty else { throw StudyError.invalid("--sweep '\(text)': the sweep has no values") }
        self.init(key: key, values: values)
    }
}
