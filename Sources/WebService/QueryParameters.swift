import Foundation
import Hummingbird

/// Reading a request's query parameters, each refused (400, naming the parameter) when malformed.
struct QueryParameters {
    let request: Request

    /// A parameter's text; nil when absent.
    func string(_ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init)
    }

    /// A whole number in `range`.
    func int(_ name: String, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Problem(.badRequest, "\(name) \(text): give a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// A finite number ≥ 0.
    func seconds(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw Problem(.badRequest, "\(name) \(text): give a finite number of seconds ≥ 0")
        }
        return value
    }

    /// `true` or `false`.
    func bool(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        guard let value = Bool(text) else { throw Problem(.badRequest, "\(name) \(text): give true or false") }
        return value
    }

    /// One of `values`.
    func choice(_ name: String, _ values: [String]) throws -> String? {
        guard let text = string(name) else { return nil }
        guard values.contains(text) else { throw Problem(.badRequest, "\(name) \(text): give one of \(values.joined(separator: ", "))") }
        return text
    }

    /// A comma-separated list of names.
    func list(_ name: String) -> [String]? {
        string(name).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// An ISO 8601 date (`2025-03-01`) or time (`2025-03-01T09:30:00Z`), as the times the API
    /// prints compare: text of the same form, so `created_at >= since` is a string comparison.
    func time(_ name: String) throws -> String? {
        guard let text = string(name) else { return nil }
        let date = ISO8601DateFormatter()
        date.formatOptions = [.withFullDate]
        guard ISO8601DateFormatter().date(from: text) != nil || (text.count == 10 && date.date(from: text) != nil) else {
            throw Problem(.badRequest, "\(name) \(text): give an ISO 8601 date (2025-03-01) or UTC time (2025-03-01T09:30:00Z)")
        }
        return text
    }
}

/// The `since`/`until` filter of the lists: since ≤ t < until, on ISO 8601 UTC text (which sorts as time).
enum TimeWindow {
    static func contains(_ time: String, since: String?, until: String?) -> Bool {
        (since.map { time >= $0 } ?? true) && (until.map { time < $0 } ?? true)
    }
}
