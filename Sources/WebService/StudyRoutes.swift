import Hummingbird
import Services
import Studies
import Twins

/// The body of a study request: what `dtb study create NAME --twin TWIN@VERSION SPEC... --queue`
/// takes, `{"name", "twin", "interventions": ["KIND:KEY=VALUE,…"], "seeds"?, "seed"?, "seconds"?,
/// "warmup"?, "repetition_time"?, "sweep"?: "KEY=V1,V2,…|KEY=FROM:TO:STEP", "measure"?}`.
struct StudyBody: Decodable {
    var name: String
    var twin: String
    var interventions: [String]
    var seeds: Int?
    var seed: Int?
    var seconds: Double?
    var warmup: Double?
    var repetitionTime: Double?
    var sweep: String?
    var measure: Int?

    /// The checked request; a 422 naming the field for anything the CLI would refuse, and for a
    /// stimulation read from a file (a request never names the server's files).
    func request() throws -> StudyRequest {
        for (field, value) in [("seconds", seconds), ("warmup", warmup), ("repetition_time", repetitionTime)] {
            if let value, !(value.isFinite && value > 0 || field == "warmup" && value == 0) {
                throw Problem(.unprocessableContent, "\(field) \(value): give a finite number of seconds \(field == "warmup" ? "≥" : ">") 0")
            }
        }
        if let seeds, !(1...1000).contains(seeds) { throw Problem(.unprocessableContent, "seeds \(seeds): give 1 to 1000 seeds") }
        do {
            let specs = try interventions.map(InterventionSpec.init(parsing:))
            if let file = specs.first(where: { $0.parameters["file"] != nil }) {
                throw Problem(.unprocessableContent, "intervention '\(file.kind)': file= names a file of the server; the API takes pulses, sine or constant waveforms")
            }
            let version = try TwinReference(parsing: twin)
            guard version.version != nil else { throw Problem(.unprocessableContent, "twin '\(twin)': name the version (TWIN@VERSION)") }
            return StudyRequest(name: name, version: version, interventions: specs, sweep: try sweep.map(Sweep.init(parsing:)), seeds: seeds ?? 5,
                                firstSeed: seed ?? 1, seconds: seconds, warmup: warmup, repetitionTime: repetitionTime, measure: measure, threads: 1)
        } catch let error as StudyError {
            throw Problem(.unprocessableContent, error.description)
        } catch let error as TwinError {
            throw Problem(.unprocessableContent, error.description)
        }
    }
}

extension WebService {
    /// `/studies`: the virtual-treatment studies (filtered by twin and status), one study's report
    /// (arms, runs, effects largest first: `dtb study show --json`), and queueing a new one.
    func addStudyRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("studies") { request, _ in
            let p = QueryParameters(request: request)
            let twin = p.string("twin"), status = try p.choice("status", ["running", "complete"])
            let studies = try await query { try StudyService(database: $0).list() }.filter {
                (twin == nil || Self.study($0, belongsTo: twin!)) && (status == nil || $0.status == status)
            }
            return try JSONResponse.make(Listing(request: request).page(studies, sort: SortOrder(keys: [
                "name": { $0.study < $1.study }, "created_at": { $0.createdAt < $1.createdAt }, "runs": { $0.runs < $1.runs },
            ], standard: "name")))
        }
        api.get("studies/{study}") { _, context in
            let name = try context.parameters.require("study")
            return try JSONResponse.make(try await query { try StudyService(database: $0).report(nameOrID: name) })
        }
        api.post("studies") { request, context in
            try context.require(.write)
            let study = try await Self.body(StudyBody.self, of: request, context: context).request()
            do {
                let jobs = try await query { try StudyService(database: $0).queue(study) }
                return try JSONResponse.make(QueuedJobs(jobs: jobs.map { QueuedJob(job: $0.job, created: $0.created, url: Self.url(of: $0.job)) }),
                                             status: .accepted, headers: [.location: "/api/v1/studies/\(study.name)"])
            } catch StudyError.invalid(let detail), StudyError.notFound(let detail), TwinError.notFound(let detail), TwinError.invalid(let detail) {
                // The body named it: the request is what is wrong, not a path.
                throw Problem(.unprocessableContent, detail)
            }
        }
    }

    /// True when a listed study (`twin` is `NAME@VERSION`) treats `twin`: a name (any version) or `NAME@VERSION`.
    static func study(_ listing: StudyListing, belongsTo twin: String) -> Bool {
        guard listing.twin != twin, let at = listing.twin.lastIndex(of: "@") else { return listing.twin == twin }
        return listing.twin[..<at] == twin
    }
}
