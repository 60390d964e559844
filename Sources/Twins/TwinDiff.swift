import Foundation
import Store

/// What differs between two versions of a twin: input measures, parameters (as flattened JSON
/// paths such as `neurons` or `bold.epsilon`), code and network.
enum TwinDiff {
    static func changes(from old: TwinVersionInfo, to new: TwinVersionInfo) -> [TwinChange] {
        var out: [TwinChange] = []
        let before = Dictionary(uniqueKeysWithValues: old.inputs.map { ($0.role, $0) })
        let after = Dictionary(uniqueKeysWithValues: new.inputs.map { ($0.role, $0) })
        for role in TwinInputReader.roles + [.boldTimeseries] where before[role]?.measure != after[role]?.measure {
            out.append(TwinChange(kind: "data", what: role.rawValue, from: before[role].map(describe), to: after[role].map(describe)))
        }
        let oldParameters = flatten(old.parameters), newParameters = flatten(new.parameters)
        let oldBold = flatten(old.bold), newBold = flatten(new.bold)
        for (prefix, a, b) in [("", oldParameters, newParameters), ("bold.", oldBold, newBold)] {
            for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
                out.append(TwinChange(kind: "parameter", what: prefix + key, from: a[key], to: b[key]))
            }
        }
        if old.codeVersion != new.codeVersion {
            out.append(TwinChange(kind: "code", what: "code_version", from: old.codeVersion, to: new.codeVersion))
        }
        if old.networkDigest != new.networkDigest {
            out.append(TwinChange(kind: "network", what: "network_digest", from: String(old.networkDigest.prefix(12)),
                                  to: String(new.networkDigest.prefix(12))))
        }
        return out
    }

    static func describe(_ input: TwinVersionInput) -> String {
        (input.session.isEmpty ? "" : "ses-\(input.session) ") + "\(input.scanPath) v\(input.scanVersion)"
    }

    /// Leaf values of a value's JSON, keyed by dotted path (arrays by index); the paths are those
    /// of the value in `dtb twin show --json` (``JSONStyle``: `mean_in_degree`, `bold.epsilon`).
    static func flatten<T: Encodable>(_ value: T) -> [String: String] {
        guard let data = try? JSONStyle.compactEncoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return [:] }
        var out: [String: String] = [:]
        func walk(_ node: Any, _ path: String) {
            switch node {
            case let dictionary as [String: Any]:
                for (key, child) in dictionary { walk(child, path.isEmpty ? key : "\(path).\(key)") }
            case let array as [Any]:
                for (index, child) in array.enumerated() { walk(child, "\(path)[\(index)]") }
            case is NSNull:
                out[path] = "null"
            default:
                out[path] = "\(node)"
            }
        }
        walk(object, "")
        return out
    }
}

/// Each version's changes from its parent, kept by the process: both rows are immutable (only a
/// version's status may change), and working a diff out decodes and flattens four JSON documents.
/// Keys name the data home and the version's row id, so databases in one process stay apart.
final class TwinChangeCache: @unchecked Sendable {
    static let shared = TwinChangeCache(capacity: 200_000)

    private let lock = NSLock()
    private let capacity: Int
    private var changes: [String: [TwinChange]] = [:]

    init(capacity: Int) { self.capacity = capacity }

    /// The changes under `key`, worked out by `make` when they are not kept yet.
    func changes(_ key: String, _ make: () throws -> [TwinChange]) throws -> [TwinChange] {
        if let kept = lock.withLock({ changes[key] }) { return kept }
        let made = try make()
        lock.withLock {
            // Bounded simply: past the capacity start again (a history page refills what it reads).
            if changes.count >= capacity { changes.removeAll(keepingCapacity: true) }
            changes[key] = made
        }
        return made
    }
}
