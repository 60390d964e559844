import Foundation

/// A region × region matrix in a TSV (or CSV) file, in the atlas's region order.
///
/// Accepted layouts: N rows of N numbers; or a header row of the N region names (optionally
/// after one leading corner cell) followed by N rows, each optionally starting with its region's
/// name. Names, when given, must equal the atlas's region names in label order.
enum ConnectomeTable {
    static func read(_ url: URL, atlas: AtlasSet.Entry) throws -> [Double] {
        let path = url.path
        let text = try readText(url)
        let separator: Character = url.pathExtension == "csv" ? "," : "\t"
        var rows = text.split(whereSeparator: \.isNewline).map { line in
            line.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }.filter { !($0.count == 1 && $0[0].isEmpty) }
        guard !rows.isEmpty else { throw IngestError.file(path, "empty file") }
        let names = atlas.regions.map(\.name)
        let n = names.count
        var header: [String]?
        if let first = rows.first, first.contains(where: { !$0.isEmpty && Double($0) == nil }) {
            header = first.count == n + 1 ? Array(first.dropFirst()) : first
            rows.removeFirst()
        }
        if let header {
            guard header.count == n else {
                throw IngestError.file(path, "header names \(header.count) regions; atlas \(atlas.record.name) has \(n)")
            }
            if let k = (0..<n).first(where: { header[$0] != names[$0] }) {
                throw IngestError.file(path, "region order does not match atlas \(atlas.record.name): column \(k + 1) is '\(header[k])', the atlas's region \(k + 1) is '\(names[k])'")
            }
        }
        guard rows.count == n else {
            throw IngestError.file(path, "is a \(rows.count)×\(rows.first?.count ?? 0) matrix; atlas \(atlas.record.name) has \(n) regions, so \(n)×\(n) is required")
        }
        var matrix = [Double](repeating: 0, count: n * n)
        for (i, row) in rows.enumerated() {
            var cells = row
            if cells.count == n + 1 {
                guard cells[0] == names[i] else {
                    throw IngestError.file(path, "region order does not match atlas \(atlas.record.name): row \(i + 1) is '\(cells[0])', the atlas's region \(i + 1) is '\(names[i])'")
                }
                cells.removeFirst()
            }
            guard cells.count == n else {
                throw IngestError.file(path, "row \(i + 1) has \(cells.count) values; atlas \(atlas.record.name) has \(n) regions, so \(n)×\(n) is required")
            }
            for (j, cell) in cells.enumerated() {
                guard let value = Double(cell), value.isFinite, value >= 0 else {
                    throw IngestError.file(path, "row \(i + 1), column \(j + 1): '\(cell)' is not a finite non-negative number")
                }
                matrix[i * n + j] = value
            }
        }
        return matrix
    }
}
