import Hummingbird
import Ingest
import Services

/// A session of a subject with what it holds: `{"session", "scans", "measures"}`.
struct SessionSummary: Codable, Sendable {
    var session: String
    var scans: Int
    var measures: Int
}

extension WebService {
    /// `/subjects`: subjects, one subject's record, its sessions, scans (every version, with
    /// provenance) and measures; `/measures/ID` with its regional values.
    func addSubjectRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("subjects") { request, _ in
            let dataset = QueryParameters(request: request).string("dataset")
            let subjects = try await query { try SubjectService(database: $0).list() }.filter { dataset == nil || $0.dataset == dataset }
            return try JSONResponse.make(Listing(request: request).page(subjects, sort: SortOrder(keys: [
                "label": { $0.label < $1.label }, "measures": { $0.measures < $1.measures }, "scans": { $0.scans < $1.scans },
            ], standard: "label")))
        }
        api.get("subjects/{subject}") { _, context in
            try JSONResponse.make(try await subject(context))
        }
        api.get("subjects/{subject}/sessions") { request, context in
            let detail = try await subject(context)
            let sessions = detail.sessions.map { session in
                SessionSummary(session: session, scans: detail.scans.count { $0.session == session },
                               measures: detail.measures.count { $0.session == session })
            }
            return try JSONResponse.make(Listing(request: request).page(sessions, sort: SortOrder(keys: ["session": { $0.session < $1.session }],
                                                                                                  standard: "session")))
        }
        api.get("subjects/{subject}/scans") { request, context in
            let parameters = QueryParameters(request: request)
            let session = parameters.string("session"), modality = parameters.string("modality")
            let since = try parameters.time("since"), until = try parameters.time("until")
            let scans = try await subject(context).scans.filter {
                (session == nil || $0.session == session) && (modality == nil || $0.modality == modality)
                    && TimeWindow.contains($0.ingestedAt, since: since, until: until)
            }
            return try JSONResponse.make(Listing(request: request).page(scans, sort: SortOrder(keys: [
                "id": { $0.id < $1.id }, "path": { ($0.path, $0.version) < ($1.path, $1.version) }, "ingested_at": { $0.ingestedAt < $1.ingestedAt },
            ], standard: "id")))
        }
        api.get("subjects/{subject}/measures") { request, context in
            let parameters = QueryParameters(request: request)
            let session = parameters.string("session"), atlas = parameters.string("atlas"), kind = parameters.string("kind")
            let measures = try await subject(context).measures.filter {
                (session == nil || $0.session == session) && (atlas == nil || $0.atlas == atlas) && (kind == nil || $0.kind.rawValue == kind)
            }
            return try JSONResponse.make(Listing(request: request).page(measures, sort: SortOrder(keys: ["id": { $0.id < $1.id }], standard: "id")))
        }
        api.get("measures/{measure}") { _, context in
            let id = try context.parameters.require("measure", as: Int.self)
            return try JSONResponse.make(try await query { try SubjectService(database: $0).measure(id: id).measure })
        }
    }

    /// The subject the path names, without regional values.
    private func subject(_ context: APIRequestContext) async throws -> SubjectDetail {
        let label = try context.parameters.require("subject")
        return try await query { try SubjectService(database: $0).show(label, values: false) }
    }
}
