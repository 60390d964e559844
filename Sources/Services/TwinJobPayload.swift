import Jobs

/// The payload of every twin job (`job.payload`, snake_case keys): which twin, and the data or
/// version it is about.
///
/// - build: `{"twin", "twin_id", "measures": {"gm_volume": id, "synaptic_density": id, …}}` — the
///   structural measures that called for the rebuild (the build reads the newest at run time).
/// - validate: `{"twin", "twin_id", "measure", "stage": "before"|"after", "version"?}` — a version
///   against the BOLD measure `measure`: before its assimilation, or after it (the new version).
/// - assimilate: `{"twin", "twin_id", "measure", "version"?}` — fit `version` to `measure`; the
///   result names the new version.
///
/// `version` is absent when the job depends on another whose result names the version
/// (``JobContext/version()``): assimilate after its validate, validate-after after its
/// assimilate, and a chain that starts after a build or a previous chain.
public struct TwinJobPayload: Sendable, Codable, Equatable {
    public var twin: String
    public var twinId: Int
    public var measures: [String: Int]?
    public var measure: Int?
    public var stage: ValidationStage?
    public var version: Int?

    public init(twin: String, twinId: Int, measures: [String: Int]? = nil, measure: Int? = nil,
                stage: ValidationStage? = nil, version: Int? = nil) {
        self.twin = twin; self.twinId = twinId; self.measures = measures; self.measure = measure
        self.stage = stage; self.version = version
    }
}

/// Which version a validate job compares with its BOLD measure.
public enum ValidationStage: String, Sendable, Codable {
    /// The version the measure is about to be assimilated into.
    case before
    /// The version the assimilation made.
    case after
}
