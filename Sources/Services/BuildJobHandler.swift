import Jobs
import Twins

/// `build` jobs: rebuilds a twin from the subject's newest structural data as a new version, with
/// the builder and BOLD parameters (and seed) of its latest version, like `dtb twin build` with
/// the same options would.
///
/// Idempotent: built again with the same inputs and parameters, the version is found `unchanged`.
/// The SV2A reference regions are the atlas manifest's: versions do not record a `--sv2a-reference`.
public struct BuildJobHandler: JobHandler {
    public var kind: JobKind { .build }
    public init() {}

    /// The result: `{"twin", "version", "action": "created"|"unchanged", "network_digest"}`.
    public struct Result: Codable, Sendable {
        public var twin: String
        public var version: Int
        public var action: TwinBuildOutcome.Action
        public var networkDigest: String
    }

    public func run(_ context: JobContext) throws -> JSONValue {
        let payload = try context.payload(TwinJobPayload.self)
        let latest = try TwinQueries(database: context.database).version(TwinReference(twin: payload.twin))
        let request = TwinBuildRequest(subject: latest.subject, atlas: latest.atlas, level: latest.level,
                                       parameters: latest.parameters, bold: latest.bold, name: latest.twin)
        let outcome = try TwinRegistry(database: context.database).build(request, progress: context.progress)
        return try JSONValue(encoding: Result(twin: outcome.twin, version: outcome.version, action: outcome.action,
                                              networkDigest: outcome.networkDigest))
    }
}
