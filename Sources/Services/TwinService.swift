import Store
import Twins

/// Twins: building versions, reading them back, running them.
public struct TwinService {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Builds a checked request (``TwinBuildOptions/request()``) as a new version, or finds the
    /// identical version already stored.
    public func build(_ request: TwinBuildRequest, progress: (String) -> Void) throws -> TwinBuildOutcome {
        try TwinRegistry(database: database).build(request, progress: progress)
    }

    /// Twins with their latest versions, of one subject when `subject` is given.
    public func list(subject: String?) throws -> [TwinListing] {
        try TwinQueries(database: database).twins(subject: subject)
    }

    /// A version (`TWIN` or `TWIN@VERSION`) with its inputs, parameters, lobes and units.
    public func show(_ reference: String) throws -> TwinVersionDetail {
        try TwinQueries(database: database).detail(TwinReference(parsing: reference))
    }

    /// A version named by its parts (no `@` parsing: a twin's name is taken as it is).
    public func show(_ reference: TwinReference) throws -> TwinVersionDetail {
        try TwinQueries(database: database).detail(reference)
    }

    /// Every version of `twin` with what changed from its parent.
    public func history(_ twin: String) throws -> TwinHistory {
        try TwinQueries(database: database).history(twin)
    }

    /// The hyperparameter series h(t) of an assimilated version, mean and spread per frame.
    public func hyperparameters(_ reference: TwinReference) throws -> TwinHyperparameterSeries {
        try TwinQueries(database: database).hyperparameters(reference)
    }

    /// The versions of `twin` that `query` selects, one page in its order (a constant number of queries).
    public func history(_ twin: String, _ query: TwinHistoryQuery) throws -> TwinHistory {
        try TwinQueries(database: database).history(twin, query)
    }

    /// Simulates a checked request (``TwinRunOptions/request()``) and stores the run.
    public func run(_ request: TwinRunRequest, progress: (String) -> Void) throws -> TwinRunInfo {
        try TwinRunner(database: database).run(request, progress: progress)
    }

    /// Fits a version to one of its subject's BOLD runs as a new version (or resumes / finds that fit).
    public func assimilate(_ request: TwinAssimilationRequest, progress: (String) -> Void) throws -> TwinAssimilationOutcome {
        try TwinAssimilator(database: database).assimilate(request, progress: progress)
    }

    /// Validates a version against a stored BOLD run and stores the figures.
    public func validate(_ request: TwinValidationRequest, progress: (String) -> Void) throws -> TwinValidationReport {
        try TwinValidator(database: database).validate(request, progress: progress)
    }
}
