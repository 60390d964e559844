import Foundation

/// A region table that names the labels of a label volume: a FreeSurfer colour LUT
/// (`id name R G B A`), a BIDS `dseg.tsv` (`index name …`), or a CSV/TSV with a header.
public struct LabelTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var label: Int
        public var name: String
        /// The row's other columns by header name (none for a LUT).
        public var attributes: [String: String]
        /// 1-based line in the file, for error messages.
        public var line: Int
    }

    public let path: String
    public let rows: [Row]

    /// Parses `url`, choosing the format from its content: a header line makes it a table,
    /// rows that start with a number make it a LUT.
    public init(contentsOf url: URL) throws {
        path = url.path
        // Reading a FIFO would wait for a writer for ever.
        let target = url.resolvingSymlinksInPath().path
        if let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType, type != .typeRegular {
            throw AtlasError.file(url.path, "the label table is not a regular file")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw AtlasError.file(url.path, "cannot read the label table")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AtlasError.file(url.path, "label table is not UTF-8 text")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, text: String($0.element)) }
            .filter { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty && !$0.text.hasPrefix("#") }
        guard let first = lines.first else { throw AtlasError.file(url.path, "label table is empty") }
        // No text column stores a NUL, and other control characters in a region name are damage.
        if let bad = lines.first(where: { $0.text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\r" } }) {
            throw AtlasError.file(url.path, "line \(bad.number) holds a control character (NUL or the like)")
        }
        let separator: Character = first.text.contains("\t") ? "\t" : (first.text.contains(",") ? "," : " ")
        let firstFields = Self.split(first.text, separator: separator)
        if Int(firstFields[0]) != nil {
            rows = try Self.lookupTable(lines, path: url.path)
        } else {
            rows = try Self.headedTable(lines, separator: separator, path: url.path)
        }
        try checkUnique()
    }

    /// FreeSurfer colour LUT: whitespace-separated `id name R G B A`; label 0 is background.
    private static func lookupTable(_ lines: [(number: Int, text: String)], path: String) throws -> [Row] {
        try lines.compactMap { line in
            let fields = line.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 2, let label = Int(fields[0]) else {
                throw AtlasError.file(path, "line \(line.number): expected 'id name R G B A'")
            }
            return label == 0 ? nil : Row(label: label, name: fields[1], attributes: [:], line: line.number)
        }
    }

    private static let labelColumns = ["index", "id", "label_value", "label_id", "value", "label"]
    private static let nameColumns = ["name", "label", "region", "region_name", "abbreviation"]

    /// CSV or TSV with a header naming a label-value column and a name column.
    private static func headedTable(_ lines: [(number: Int, text: String)], separator: Character, path: String) throws -> [Row] {
        let header = split(lines[0].text, separator: separator).map { $0.lowercased() }
        let body = lines.dropFirst().map { (number: $0.number, fields: split($0.text, separator: separator)) }
        guard let valueColumn = labelColumns.compactMap({ header.firstIndex(of: $0) })
            .first(where: { column in body.allSatisfy { column < $0.fields.count && Int($0.fields[column]) != nil } }) else {
            throw AtlasError.file(path, "no integer label column (one of \(labelColumns.joined(separator: ", "))) in the header")
        }
        guard let nameColumn = nameColumns.compactMap({ header.firstIndex(of: $0) }).first(where: { $0 != valueColumn }) else {
            throw AtlasError.file(path, "no region name column (one of \(nameColumns.joined(separator: ", "))) in the header")
        }
        return try body.compactMap { line in
            guard line.fields.count == header.count else {
                throw AtlasError.file(path, "line \(line.number): \(line.fields.count) fields, the header has \(header.count)")
            }
            let label = Int(line.fields[valueColumn])!
            guard label != 0 else { return nil }
            var attributes: [String: String] = [:]
            for (column, value) in zip(header, line.fields) where !value.isEmpty { attributes[column] = value }
            return Row(label: label, name: line.fields[nameColumn], attributes: attributes, line: line.number)
        }
    }

    private func checkUnique() throws {
        var seenLabels: [Int: Int] = [:], seenNames: [String: Int] = [:]
        for row in rows {
            guard row.label > 0 else { throw AtlasError.file(path, "line \(row.line): label \(row.label) is not positive") }
            guard row.name.isEmpty == false else { throw AtlasError.file(path, "line \(row.line): empty region name") }
            if let earlier = seenLabels[row.label] {
                throw AtlasError.file(path, "line \(row.line): duplicate label \(row.label) (also on line \(earlier))")
            }
            if let earlier = seenNames[row.name] {
                throw AtlasError.file(path, "line \(row.line): duplicate region name '\(row.name)' (also on line \(earlier))")
            }
            seenLabels[row.label] = row.line
            seenNames[row.name] = row.line
        }
    }

    /// Splits one line, honouring double quotes (CSV) around fields that contain the separator.
    static func split(_ line: String, separator: Character) -> [String] {
        if separator == " " { return line.split(separator: " ").map(String.init) }
        var fields: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() } else if character == separator && !quoted {
                fields.append(current.trimmingCharacters(in: .whitespaces)); current = ""
            } else { current.append(character) }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
