import Foundation

/// The rows a statement returned, copied out of libpq so they outlive the C result.
public struct PostgresResult: Sendable, RandomAccessCollection {
    /// Column names, in order.
    public let columns: [String]
    /// Rows affected by an `INSERT`/`UPDATE`/`DELETE`/`COPY`, from the command tag.
    public let affectedRows: Int
    let cells: [[String?]]

    public var startIndex: Int { 0 }
    public var endIndex: Int { cells.count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(columns: columns, values: cells[position]) }

    /// The single value of a one-row, one-column result.
    public func scalar() throws -> PostgresCell {
        guard let row = first, !row.values.isEmpty else {
            throw PostgresError(message: "expected one row, the query returned none")
        }
        return row[0]
    }
}

/// One row of a result.
public struct PostgresRow: Sendable {
    let columns: [String]
    let values: [String?]

    public subscript(index: Int) -> PostgresCell { PostgresCell(text: values[index]) }

    /// The cell of the named column; a name that is not in the result is a programming error.
    public subscript(name: String) -> PostgresCell {
        guard let index = columns.firstIndex(of: name) else {
            preconditionFailure("no column \(name) in result (\(columns.joined(separator: ", ")))")
        }
        return PostgresCell(text: values[index])
    }
}

/// One value in PostgreSQL's text output format, with typed accessors.
public struct PostgresCell: Sendable {
    /// The raw text, or `nil` for SQL `NULL`.
    public let text: String?

    public var isNull: Bool { text == nil }
    public var string: String? { text }
    public var int: Int? { text.flatMap { Int($0) } }
    public var double: Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return text.flatMap { Double($0) }
        }
    }
    public var bool: Bool? { text.map { $0 == "t" } }

    /// A one-dimensional numeric array (`{1,2.5,3}`); `NULL` elements are not allowed.
    public var doubles: [Double]? {
        arrayItems?.compactMap { PostgresCell(text: $0).double }
    }
    /// A one-dimensional integer array.
    public var ints: [Int]? { arrayItems?.compactMap { Int($0) } }
    /// A one-dimensional text array, unquoted.
    public var strings: [String]? { arrayItems }

    /// Splits a one-dimensional array literal, honouring quotes and backslash escapes.
    private var arrayItems: [String]? {
        guard let text, text.hasPrefix("{"), text.hasSuffix("}") else { return nil }
        var items: [String] = []
        var current = ""
        var quoted = false, escaped = false, sawAny = false
        for character in text.dropFirst().dropLast() {
            sawAny = true
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "\"": quoted.toggle()
            case "," where !quoted: items.append(current); current = ""
            default: current.append(character)
            }
        }
        if sawAny { items.append(current) }
        return items
    }

    /// Decodes a `json`/`jsonb` value.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let text else { throw PostgresError(message: "cannot decode \(T.self) from NULL") }
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
