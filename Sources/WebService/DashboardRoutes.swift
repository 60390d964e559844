import Hummingbird
import Ingest
import Jobs
import Services
import Studies
import Twins

extension WebService {
    /// The dashboard: server-rendered pages over the same Services as the API (no JavaScript).
    func addDashboard(to router: Router<APIRequestContext>) {
        router.get("/") { _, _ in try await subjectsPage(title: "dtb") }
        router.get("subjects") { _, _ in try await subjectsPage(title: "Subjects") }
        router.get("subjects/{subject}") { request, context in
            let label = try context.parameters.require("subject")
            let sort = QueryParameters(request: request).string("sort")
            let (detail, atlases) = try await query { database in
                (try SubjectService(database: database).show(label, values: true),
                 try AtlasService(database: database, environment: ServiceEnvironment([:])).list().map(\.name))
            }
            let regions = try await query { database in
                let service = AtlasService(database: database, environment: ServiceEnvironment([:]))
                return try Dictionary(uniqueKeysWithValues: atlases.map { ($0, try service.regions(of: $0, matching: RegionFilter())) })
            }
            let measure = try QueryParameters(request: request).int("measure")
            return SubjectPage(detail: detail, regions: regions, measure: measure, sort: sort).page.response
        }
        router.get("twins") { _, _ in
            let twins = try await query { try TwinService(database: $0).list(subject: nil) }
            return HTMLPage(title: "Twins", body: Self.twinTable(twins)).response
        }
        router.get("twins/{twin}") { request, context in
            let name = try context.parameters.require("twin")
            let page = try QueryParameters(request: request).int("page") ?? 1
            guard (1...Int(Int32.max) / TwinPage.versionsPerPage).contains(page) else { throw Problem(.badRequest, "page \(page): pages count from 1") }
            // A twin may have thousands of versions: the page reads one page of the timeline, the
            // validated versions for the charts and the newest fit, never the whole history.
            let twinPage = try await query { database in
                let service = TwinService(database: database)
                let newest = try service.history(name, TwinHistoryQuery(descending: true, offset: (page - 1) * TwinPage.versionsPerPage,
                                                                         limit: TwinPage.versionsPerPage + 1))
                let fitted = try service.history(name, TwinHistoryQuery(origin: "assimilation", status: "ready", descending: true, limit: 1)).versions.first
                return TwinPage(timeline: newest, pageNumber: page, validated: try service.history(name, TwinHistoryQuery(validatedOnly: true)).versions,
                                latestRuns: try service.show(TwinReference(twin: name)).version.runs,
                                studies: try StudyService(database: database).list().filter { Self.study($0, belongsTo: name) },
                                hyperparameters: try fitted.map { try service.hyperparameters(TwinReference(twin: name, version: $0.version)) })
            }
            return twinPage.page.response
        }
        router.get("twins/{twin}/runs/{run}") { request, context in
            let twin = try context.parameters.require("twin"), run = try context.parameters.require("run", as: Int.self)
            let p = QueryParameters(request: request)
            let measure = try p.int("measure"), regions = p.list("regions")
            let (simulated, empirical) = try await query { database in
                let history = try TwinService(database: database).history(twin)
                let bold = try SubjectService(database: database).show(history.subject, values: false).measures
                    .filter { $0.kind == .boldTimeseries && $0.atlas == history.atlas }
                guard let chosen = measure ?? bold.first?.id else {
                    throw Problem(.notFound, "subject \(history.subject) has no BOLD measure on \(history.atlas) to compare with")
                }
                let analysis = AnalysisService(database: database)
                return (try analysis.series(.run(run)), try analysis.series(.measure(chosen)))
            }
            return ComparisonPage(twin: twin, simulated: simulated, empirical: empirical, regions: regions).page.response
        }
        router.get("studies") { _, _ in
            let studies = try await query { try StudyService(database: $0).list() }
            return HTMLPage(title: "Studies", body: StudyPage.table(studies)).response
        }
        router.get("studies/{study}") { _, context in
            let name = try context.parameters.require("study")
            let (report, figures) = try await query { try StudyService(database: $0).figures(nameOrID: name) }
            return StudyPage(report: report, figures: figures).page.response
        }
        router.get("jobs") { _, _ in
            let jobs = try await query { try JobService(database: $0).list(status: nil) }
            return HTMLPage(title: "Jobs", body: Self.jobTable(jobs)).response
        }
    }

    private func subjectsPage(title: String) async throws -> Response {
        let (subjects, twins) = try await query { database in
            (try SubjectService(database: database).list(), try TwinService(database: database).list(subject: nil))
        }
        let rows = subjects.map {
            [HTMLPage.link("/subjects/\($0.label)", "sub-" + $0.label), HTMLPage.escape($0.dataset), HTMLPage.escape($0.sessions.joined(separator: ", ")),
             "\($0.scans)", "\($0.measures)"]
        }
        let body = "<h2>Subjects</h2>" + HTMLPage.table(["subject", "dataset", "sessions", "scans", "measures"], rows, id: "subjects")
            + "<h2>Twins</h2>" + Self.twinTable(twins)
        return HTMLPage(title: title, body: body).response
    }

    static func twinTable(_ twins: [TwinListing]) -> String {
        HTMLPage.table(["twin", "subject", "atlas", "level", "versions", "latest", "status", "neurons", "synapses", "created"], twins.map {
            [HTMLPage.link("/twins/\($0.twin)", $0.twin), HTMLPage.link("/subjects/\($0.subject)", $0.subject), HTMLPage.escape($0.atlas),
             $0.level.rawValue, "\($0.versions)", "\($0.latestVersion)", HTMLPage.escape($0.latestStatus), "\($0.neurons)", "\($0.synapses)",
             $0.createdAt]
        }, id: "twins")
    }

    static func jobTable(_ jobs: [JobRecord]) -> String {
        let queued = jobs.count { $0.status == .queued }, running = jobs.count { $0.status == .running }
        let failed = jobs.count { $0.status == .failed }
        return "<p>\(queued) queued, \(running) running, \(failed) failed, \(jobs.count) in all.</p>"
            + HTMLPage.table(["job", "kind", "status", "attempts", "key", "created", "finished", "error"], jobs.map {
                ["\($0.id)", $0.kind.rawValue, $0.status.rawValue, "\($0.attempts)/\($0.maxAttempts)", HTMLPage.escape($0.idempotencyKey),
                 $0.createdAt, $0.finishedAt ?? "", HTMLPage.escape($0.status == .done ? "" : $0.lastError ?? "")]
            }, id: "jobs")
    }
}
