import Ingest
import Store

/// Reading ingested subjects back.
public struct SubjectService {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Every subject, by label.
    public func list() throws -> [SubjectSummary] {
        try SubjectCatalog(database: database).subjects()
    }

    /// One subject (label with or without `sub-`) with its scans and measures; regional values
    /// when `values` is true.
    public func show(_ label: String, values: Bool) throws -> SubjectDetail {
        try SubjectCatalog(database: database).subject(label, values: values)
    }
}
