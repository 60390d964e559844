import Assimilation
import Jobs
import SpikingEngine
import Twins

/// `validate` jobs: a version (the payload's, else the one the job before made, else the twin's
/// latest) against the payload's BOLD measure.
///
/// Idempotent: a validation of that version on that measure already stored is returned as it is.
public struct ValidateJobHandler: JobHandler {
    public var kind: JobKind { .validate }
    public var threads: Int
    public init(threads: Int = defaultThreadCount) { self.threads = threads }

    /// The result: `{"twin", "version", "validation", "bold_r"?, "fc_similarity"?}`.
    public struct Result: Codable, Sendable {
        public var twin: String
        public var version: Int
        public var validation: Int
        public var boldR: Double?
        public var fcSimilarity: Double?
    }

    public func run(_ context: JobContext) throws -> JSONValue {
        let payload = try context.payload(TwinJobPayload.self)
        guard let measure = payload.measure else { throw ServiceError.invalidRequest("validate job \(context.job.id) names no measure") }
        let version = try jobVersion(context, twin: payload.twin)
        let reference = TwinReference(twin: payload.twin, version: version)
        let report = try TwinQueries(database: context.database).validations(reference, measure: measure).last
            ?? TwinValidator(database: context.database)
                .validate(TwinValidationRequest(version: reference, measure: measure, threads: threads), progress: context.progress)
        return try JSONValue(encoding: Result(twin: report.twin, version: report.version, validation: report.validation,
                                              boldR: report.all.boldR, fcSimilarity: report.all.fcSimilarity))
    }
}

/// `assimilate` jobs: fits the version before (the job it waited for names it) to the payload's
/// BOLD measure. A twin fitted before repeats its latest fit's recipe, so that fit's posterior
/// warm-starts this one; a first fit takes ``AssimilateJobHandler/firstFit``.
///
/// Idempotent: the same version, run and settings find the finished (or interrupted) assimilation.
public struct AssimilateJobHandler: JobHandler {
    public var kind: JobKind { .assimilate }
    /// The settings of a twin's first fit (members, observation; the rest at their defaults).
    public var firstFit: FirstFit
    public var threads: Int

    /// What a first fit uses.
    public struct FirstFit: Sendable {
        public var members = 32
        public var observation: Observation.Preset = .zscoreBand
        public var warmupSeconds = 10.0
        public init() {}
    }

    public init(firstFit: FirstFit = FirstFit(), threads: Int = defaultThreadCount) { self.firstFit = firstFit; self.threads = threads }

    /// The result: `{"twin", "version", "parent", "action", "fit_bold_r"?}`.
    public struct Result: Codable, Sendable {
        public var twin: String
        public var version: Int
        public var parent: Int
        public var action: TwinAssimilationOutcome.Action
        public var fitBoldR: Double?
    }

    public func run(_ context: JobContext) throws -> JSONValue {
        let payload = try context.payload(TwinJobPayload.self)
        guard let measure = payload.measure else { throw ServiceError.invalidRequest("assimilate job \(context.job.id) names no measure") }
        let reference = TwinReference(twin: payload.twin, version: try jobVersion(context, twin: payload.twin))
        let assimilator = TwinAssimilator(database: context.database)
        let request: TwinAssimilationRequest
        if let last = try assimilator.latestSettings(twin: payload.twin) {
            request = TwinAssimilationRequest(repeating: last, version: reference, measure: measure, threads: threads)
        } else {
            var first = TwinAssimilationRequest(version: reference, measure: measure, threads: threads)
            first.members = firstFit.members
            first.observation = firstFit.observation
            first.warmupSeconds = firstFit.warmupSeconds
            request = first
        }
        let outcome = try assimilator.assimilate(request, progress: context.progress)
        return try JSONValue(encoding: Result(twin: outcome.twin, version: outcome.version, parent: outcome.parent,
                                              action: outcome.action, fitBoldR: outcome.fit.boldR))
    }
}

/// The version a twin job is about: the payload's or the job before's, else the twin's latest ready version.
func jobVersion(_ context: JobContext, twin: String) throws -> Int {
    if let version = try? context.version() { return version }
    return try TwinQueries(database: context.database).latestReadyVersion(twin: twin)
}
