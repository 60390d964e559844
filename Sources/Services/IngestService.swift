import Foundation
import Ingest
import Store

/// What `dtb ingest` asks for, checked: a dataset or a list of region-level derivatives, and
/// which subjects, sessions and atlases.
public struct IngestRequest: Sendable {
    /// What is read.
    public enum Source: Sendable {
        /// A BIDS dataset folder.
        case dataset(URL)
        /// Region-level derivative files outside a BIDS tree, with their provenance.
        case derivatives([URL], pipeline: String, version: String)
    }

    public var source: Source
    public var options: IngestOptions

    public init(source: Source, options: IngestOptions = IngestOptions()) {
        self.source = source; self.options = options
    }

    /// The request the command-line values describe: exactly one of `root` and `derivatives`,
    /// `pipeline` with derivatives; `sub-`/`ses-` prefixes are dropped from labels.
    public init(root: String?, derivatives: [String], pipeline: String?, pipelineVersion: String,
                subjects: [String], sessions: [String], atlases: [String], maskNonFinite: Bool,
                voxelSeriesAtlas: String?) throws {
        switch (root, derivatives.isEmpty) {
        case (let root?, true):
            source = .dataset(URL(fileURLWithPath: root))
        case (nil, false):
            guard let pipeline else {
                throw ServiceError.invalidRequest("--derivative needs --pipeline NAME (the program that made the files)")
            }
            source = .derivatives(derivatives.map { URL(fileURLWithPath: $0) }, pipeline: pipeline, version: pipelineVersion)
        default:
            throw ServiceError.invalidRequest("give either BIDS_ROOT or --derivative FILE…, not both or neither")
        }
        options = IngestOptions(subjects: subjects.isEmpty ? nil : subjects.map { Self.drop("sub-", $0) },
                                sessions: sessions.isEmpty ? nil : sessions.map { Self.drop("ses-", $0) },
                                atlases: atlases.isEmpty ? nil : atlases, maskNonFinite: maskNonFinite,
                                voxelSeriesAtlas: voxelSeriesAtlas)
    }

    private static func drop(_ prefix: String, _ label: String) -> String {
        label.hasPrefix(prefix) ? String(label.dropFirst(prefix.count)) : label
    }
}

/// Ingesting subjects: one transaction per subject-session, a bad file stores nothing.
public struct IngestService {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Ingests what `request` names onto the atlases of the database.
    public func ingest(_ request: IngestRequest, progress: @escaping (String) -> Void) throws -> IngestReport {
        let ingester = SubjectIngester(database: database)
        switch request.source {
        case .dataset(let root):
            return try ingester.ingest(root: root, options: request.options, progress: progress)
        case let .derivatives(files, pipeline, version):
            return try ingester.ingestDerivatives(files, pipeline: pipeline, version: version, options: request.options,
                                                  progress: progress)
        }
    }
}
