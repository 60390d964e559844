import Foundation

/// The one JSON style of everything dtb prints or sends: `--json` documents, `NOTIFY` payloads,
/// and the HTTP API to come (docs/json.md is the user-facing statement).
///
/// Keys are snake_case, the spelling of the PostgreSQL columns: Swift property names are
/// converted (`scanVersion` → `scan_version`), so types need no per-key spelling, and types that
/// already name their keys in snake_case keep them. String-keyed dictionaries are data (region
/// names, participant columns) and keep their keys as they are: Foundation's conversion applies
/// to coding keys only, which the command tests check. Keys are sorted so that equal values give
/// equal text; dates are ISO 8601 in UTC.
public enum JSONStyle {
    /// Indented, one key per line: a document for people and programs (`--json`).
    public static func documentEncoder() -> JSONEncoder {
        encoder(formatting: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The same keys on one line: notification payloads, flattened parameter paths.
    public static func compactEncoder() -> JSONEncoder {
        encoder(formatting: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Reads what the encoders write: snake_case keys back to Swift names.
    ///
    /// A Swift name with an upper-case run (`peakRssMB`) does not come back from its snake_case
    /// form by this rule; types that are read back name such keys explicitly.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// `value` as a ``documentEncoder()`` document.
    public static func document(_ value: some Encodable) throws -> String {
        String(decoding: try documentEncoder().encode(value), as: UTF8.self)
    }

    private static func encoder(formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
