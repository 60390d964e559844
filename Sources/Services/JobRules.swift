import Jobs
import Store
import Twins

/// The rules that turn a twin's data into jobs: a pure function of the database's state, so the
/// planner can run at any time (on a notification, at a worker's start, on `--once`) and
/// planning twice queues nothing new. Each job's idempotency key names the data it is about.
///
/// 1. **New anatomy → build.** When the structural measures a build would read now (the newest
///    gray matter, SV2A, tract density and length; `anat`, `pet`, `dwi` scans) differ from the
///    latest version's inputs: `build`, keyed by the twin and those measure ids
///    (`build:twin=3:gm_volume=12,synaptic_density=40,…`). (Assimilating the rebuilt version is
///    the Twins stages' next rule.)
/// 2. **New BOLD → validate, assimilate, validate.** For each BOLD measure (`func` scans) stored
///    after the twin's first version, oldest first: `validate` of the version before it
///    (`validate:twin=3:measure=17:before`), then `assimilate` into a new version
///    (`assimilate:twin=3:measure=17`), then `validate` of that new version
///    (`validate:twin=3:measure=17:after`), each waiting for the one before.
///    A task run (its scan has events) gets the `validate` only — how well the twin forecasts it:
///    which units a task drives is the user's to say (`dtb twin assimilate --units`), so the
///    worker does not fit it, and the next measure's chain does not wait for it.
/// 3. **One line of versions.** A chain starts from the latest version, or waits for (and starts
///    from the version made by) a build queued by rule 1 or the previous measure's chain, unless
///    that job failed: a failure ends its line, and the next data starts from the latest version.
public enum JobRules {
    /// The requests `state` calls for, in order; `existing` finds a job already queued under a key.
    /// Requests for keys already queued are included (the queue returns those jobs unchanged) so
    /// that later requests can wait for them.
    public static func requests(for state: TwinDataState, existing: (String) throws -> JobRecord?) throws -> [JobRequest] {
        var requests: [JobRequest] = []
        var line: JobRequest.Dependency?
        /// Appends `request`; returns what a later request waits for to follow it, nil when it failed.
        func add(_ request: JobRequest) throws -> JobRequest.Dependency? {
            requests.append(request)
            guard let job = try existing(request.key) else { return .request(requests.count - 1) }
            return job.status == .failed ? nil : .job(job.id)
        }
        if let build = try buildRequest(state) {
            line = try add(build)
        }
        for measure in state.boldMeasures {
            if state.taskMeasures.contains(measure) {
                _ = try add(validate(state, measure: measure, stage: .before, after: line))
                continue
            }
            let before = try add(validate(state, measure: measure, stage: .before, after: line))
            let assimilated = try add(assimilate(state, measure: measure, after: before))
            line = try add(validate(state, measure: measure, stage: .after, after: assimilated))
        }
        return requests
    }

    /// Rule 1: a build when the newest structural measures are not the latest version's inputs.
    static func buildRequest(_ state: TwinDataState) throws -> JobRequest? {
        guard state.available != state.inputs else { return nil }
        let measures = Dictionary(uniqueKeysWithValues: state.available.map { ($0.key.rawValue, $0.value) })
        let key = "build:twin=\(state.twinID):" + measures.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return try JobRequest(kind: .build, key: key, payload: TwinJobPayload(twin: state.twin, twinId: state.twinID, measures: measures))
    }

    /// Rule 2's validations; without a job to wait for, of the latest version.
    static func validate(_ state: TwinDataState, measure: Int, stage: ValidationStage, after: JobRequest.Dependency?) throws -> JobRequest {
        let payload = TwinJobPayload(twin: state.twin, twinId: state.twinID, measure: measure, stage: stage,
                                     version: after == nil ? state.latestVersion : nil)
        return try JobRequest(kind: .validate, key: "validate:twin=\(state.twinID):measure=\(measure):\(stage.rawValue)",
                              payload: payload, dependsOn: after)
    }

    /// Rule 2's assimilation, of the version its validation compared (or the latest, when that failed).
    static func assimilate(_ state: TwinDataState, measure: Int, after: JobRequest.Dependency?) throws -> JobRequest {
        let payload = TwinJobPayload(twin: state.twin, twinId: state.twinID, measure: measure,
                                     version: after == nil ? state.latestVersion : nil)
        return try JobRequest(kind: .assimilate, key: "assimilate:twin=\(state.twinID):measure=\(measure)",
                              payload: payload, dependsOn: after)
    }
}
