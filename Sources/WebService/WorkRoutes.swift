import Foundation
import Hummingbird
import Jobs
import Services
import Store

/// The body of a validation or assimilation request: `{"measure", "version"?}`.
struct TwinWorkBody: Decodable {
    var measure: Int
    var version: Int?
}

/// The body of an ingest request: `{"path"}`, a folder relative to the server's data directory.
struct IngestBody: Decodable {
    var path: String
}

/// The body of a plan request: `{"subject"?}`.
struct PlanBody: Decodable {
    var subject: String?
}

/// What a request that queues work answers (202): `{"job", "created", "url"}` — `created` is
/// false when the same request had already queued the job.
struct QueuedJob: Encodable, Sendable {
    var job: JobRecord
    var created: Bool
    var url: String
}

/// What a plan request answers (202): `{"jobs": [{"job", "created", "url"}]}`.
struct QueuedJobs: Encodable, Sendable {
    var jobs: [QueuedJob]
}

extension WebService {
    /// Writes that start work: each checks its request, queues jobs for `dtb worker` and answers
    /// 202 with the job's URL (`Location`); none runs the work inside the request. Write tokens only.
    func addWorkRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("twins/{twin}/validations") { request, context in
            try context.require(.write)
            let twin = try context.parameters.require("twin")
            let body = try await Self.body(TwinWorkBody.self, of: request, context: context)
            return try Self.accepted(try await query { try JobSubmission(database: $0).validate(twin: twin, version: body.version, measure: body.measure) })
        }
        api.post("twins/{twin}/assimilations") { request, context in
            try context.require(.write)
            let twin = try context.parameters.require("twin")
            let body = try await Self.body(TwinWorkBody.self, of: request, context: context)
            return try Self.accepted(try await query { try JobSubmission(database: $0).assimilate(twin: twin, version: body.version, measure: body.measure) })
        }
        api.post("ingestions") { request, context in
            try context.require(.write)
            let body = try await Self.body(IngestBody.self, of: request, context: context)
            let folder = try DataDirectory(root: configuration.dataDirectory).resolve(body.path)
            return try Self.accepted(try await query { try JobSubmission(database: $0).ingest(path: folder) })
        }
        api.post("plans") { request, context in
            try context.require(.write)
            let body = try await Self.body(PlanBody.self, of: request, context: context)
            let jobs = try await query { try JobSubmission(database: $0).plan(subject: body.subject) }
            return try JSONResponse.make(QueuedJobs(jobs: jobs.map { QueuedJob(job: $0, created: true, url: Self.url(of: $0)) }), status: .accepted)
        }
    }

    /// 202 with the job and its URL in `Location`.
    static func accepted(_ enqueued: EnqueuedJob) throws -> Response {
        let url = url(of: enqueued.job)
        return try JSONResponse.make(QueuedJob(job: enqueued.job, created: enqueued.created, url: url), status: .accepted, headers: [.location: url])
    }

    /// Where a job is read.
    static func url(of job: JobRecord) -> String { "/api/v1/jobs/\(job.id)" }

    /// The request's JSON body (at most ``APIRequestContext/maxUploadSize`` bytes: 413 beyond),
    /// decoded in dtb's style (snake_case keys); 400 naming the problem when it does not decode.
    static func body<T: Decodable>(_ type: T.Type, of request: Request, context: APIRequestContext) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let bytes = Data(buffer.readableBytesView)
        do {
            return try JSONStyle.decoder().decode(T.self, from: bytes.isEmpty ? Data("{}".utf8) : bytes)
        } catch let error as DecodingError {
            throw Problem(.badRequest, "request body: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, _): return "\(key.stringValue) is missing"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case .dataCorrupted: return "not a JSON object"
        @unknown default: return "not the expected JSON object"
        }
    }
}
