import Foundation
import Ingest
import Jobs

/// The payload of an ingest job: `{"path"}`, the dataset's real absolute path.
public struct IngestJobPayload: Sendable, Codable, Equatable {
    /// The dataset's real absolute path.
    public var path: String
    public init(path: String) { self.path = path }
}

/// `ingest` jobs: a BIDS dataset the API checked to be inside the data directory, ingested as
/// `dtb ingest` would (unchanged files are a no-op, so a repeated attempt is harmless).
public struct IngestJobHandler: JobHandler {
    public var kind: JobKind { .ingest }
    public init() {}

    /// The result: the ingest report (`{"dataset", "atlases", "sessions"}`).
    public func run(_ context: JobContext) throws -> JSONValue {
        let payload = try context.payload(IngestJobPayload.self)
        let report = try SubjectIngester(database: context.database).ingest(root: URL(fileURLWithPath: payload.path, isDirectory: true),
                                                                          progress: context.progress)
        return try JSONValue(encoding: report)
    }
}
