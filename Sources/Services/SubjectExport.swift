import Foundation
import Ingest
import Store

/// What `dtb subject export` asks for, checked: exactly one of a measure id and a kind, and a format.
public struct SubjectExportRequest: Sendable, Equatable {
    /// How the measure is written.
    public enum Format: String, Sendable, CaseIterable {
        /// The region-level TSV `dtb ingest --derivative` reads back.
        case tsv
        /// One JSON document (``MeasureExport``'s keys in snake_case).
        case json
    }

    public var subject: String
    public var selection: MeasureSelection
    public var atlas: String?
    public var format: Format

    /// The request the command-line values describe.
    public init(subject: String, measure: Int?, kind: String?, atlas: String?, format: String) throws {
        self.subject = subject
        self.atlas = atlas
        switch (measure, kind) {
        case (let id?, nil):
            guard id > 0 else { throw ServiceError.invalidOption("--measure", value: "\(id)", problem: "measure ids are positive") }
            selection = .id(id)
        case (nil, let kind?):
            guard let parsed = MeasureKind(rawValue: kind) else {
                throw ServiceError.invalidOption("--kind", value: kind, problem: "not a measure kind (\(MeasureKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            selection = .latest(parsed)
        default:
            throw ServiceError.invalidRequest("give either --measure ID or --kind KIND, not both or neither")
        }
        guard let parsed = Format(rawValue: format) else {
            throw ServiceError.invalidOption("--format", value: format, problem: "not tsv or json")
        }
        self.format = parsed
    }
}

extension SubjectService {
    /// The measure `request` names.
    public func export(_ request: SubjectExportRequest) throws -> MeasureExport {
        try SubjectCatalog(database: database).export(request.subject, selecting: request.selection, atlas: request.atlas)
    }

    /// The measure as text in the request's format.
    public func text(of export: MeasureExport, format: SubjectExportRequest.Format) throws -> String {
        format == .tsv ? export.tsv() : try JSONStyle.document(export) + "\n"
    }

    /// Writes the measure to `url`; a TSV gets its JSON sidecar (Units, RepetitionTime) beside it
    /// (`<stem>.json`), so that `dtb ingest --derivative url` stores the same values again.
    public func write(_ export: MeasureExport, format: SubjectExportRequest.Format, to url: URL) throws {
        do {
            try Data(try text(of: export, format: format).utf8).write(to: url)
            if format == .tsv {
                try Data(export.sidecar().utf8).write(to: url.deletingPathExtension().appendingPathExtension("json"))
            }
        } catch let error as CocoaError {
            throw StoreError.file("\(url.path): cannot write: \(error.localizedDescription)")
        }
    }
}
