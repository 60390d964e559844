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

    /// Measure `id` with its regional values, and the label of its subject.
    public func measure(id: Int) throws -> (subject: String, measure: MeasureInfo) {
        guard let label = try database.connection.query("""
            SELECT s.label FROM measure m JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
              JOIN subject s ON s.id = se.subject_id WHERE m.id = $1
            """, [id]).first?[0].string,
              let measure = try show(label, values: true).measures.first(where: { $0.id == id }) else {
            throw StoreError.notFound("measure \(id) does not exist")
        }
        return (label, measure)
    }
}
