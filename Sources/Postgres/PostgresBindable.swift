import Foundation

/// A Swift value that can be sent to the server as a typed query parameter.
///
/// Values travel in PostgreSQL's text format together with their type OID, so the server parses
/// them itself: SQL text never contains values, and there is nothing to escape.
public protocol PostgresBindable {
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
    /// The type OID the server should parse the text as (0 lets the server infer it).
    static var postgresTypeOID: UInt32 { get }
}

/// Well-known type OIDs from `pg_type`.
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let int8: UInt32 = 20
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let int4Array: UInt32 = 1007
    public static let textArray: UInt32 = 1009
    public static let int8Array: UInt32 = 1016
    public static let float8Array: UInt32 = 1022
    public static let timestamptz: UInt32 = 1184
    public static let jsonb: UInt32 = 3802
}

extension String: PostgresBindable {
    public var postgresText: String { self }
    public static var postgresTypeOID: UInt32 { PostgresType.text }
}

extension Int: PostgresBindable {
    public var postgresText: String { String(self) }
    public static var postgresTypeOID: UInt32 { PostgresType.int8 }
}

extension Int32: PostgresBindable {
    public var postgresText: String { String(self) }
    public static var postgresTypeOID: UInt32 { PostgresType.int4 }
}

extension Int64: PostgresBindable {
    public var postgresText: String { String(self) }
    public static var postgresTypeOID: UInt32 { PostgresType.int8 }
}

extension Double: PostgresBindable {
    /// Shortest round-tripping decimal, with PostgreSQL's spellings for the special values.
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public static var postgresTypeOID: UInt32 { PostgresType.float8 }
}

extension Bool: PostgresBindable {
    public var postgresText: String { self ? "t" : "f" }
    public static var postgresTypeOID: UInt32 { PostgresType.bool }
}

extension Date: PostgresBindable {
    public var postgresText: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: self)
    }
    public static var postgresTypeOID: UInt32 { PostgresType.timestamptz }
}

/// Raw bytes, sent as `bytea` in hex form.
public struct PostgresBytes: PostgresBindable, Sendable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var postgresText: String {
        "\\x" + bytes.map { String(format: "%02x", $0) }.joined()
    }
    public static var postgresTypeOID: UInt32 { PostgresType.bytea }
}

/// A JSON document, sent as `jsonb`.
public struct PostgresJSON: PostgresBindable, Sendable {
    public var text: String
    /// Wraps already-encoded JSON text.
    public init(text: String) { self.text = text }
    /// Encodes a value with sorted keys so equal values give equal text.
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    public var postgresText: String { text }
    public static var postgresTypeOID: UInt32 { PostgresType.jsonb }
}

extension Array: PostgresBindable where Element: PostgresArrayElement {
    /// PostgreSQL array literal: `{1,2,3}`, elements quoted and escaped where needed.
    public var postgresText: String {
        "{" + map { $0.postgresArrayItem }.joined(separator: ",") + "}"
    }
    public static var postgresTypeOID: UInt32 { Element.postgresArrayTypeOID }
}

/// An element type that can appear in a one-dimensional array parameter.
public protocol PostgresArrayElement: PostgresBindable {
    static var postgresArrayTypeOID: UInt32 { get }
    var postgresArrayItem: String { get }
}

extension PostgresArrayElement {
    public var postgresArrayItem: String { postgresText }
}

extension Int: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.int4Array } }
extension Double: PostgresArrayElement { public static var postgresArrayTypeOID: UInt32 { PostgresType.float8Array } }
extension String: PostgresArrayElement {
    public static var postgresArrayTypeOID: UInt32 { PostgresType.textArray }
    public var postgresArrayItem: String {
        let escaped = replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}
