import Foundation
import Hummingbird
import Jobs
import Services
import Store

extension WebService {
    /// `/jobs`: the queue (filtered by status and kind), one job, and its progress as server-sent events.
    func addJobRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("jobs") { request, _ in
            let p = QueryParameters(request: request)
            let status = try p.choice("status", JobStatus.allCases.map(\.rawValue)).flatMap(JobStatus.init(rawValue:))
            let kind = try p.choice("kind", JobKind.allCases.map(\.rawValue))
            let jobs = try await query { try JobService(database: $0).list(status: status) }.filter { kind == nil || $0.kind.rawValue == kind }
            return try JSONResponse.make(Listing(request: request).page(jobs, sort: SortOrder(keys: [
                "id": { $0.id < $1.id }, "created_at": { $0.createdAt < $1.createdAt },
            ], standard: "id")))
        }
        api.get("jobs/{job}") { _, context in
            let id = try context.parameters.require("job", as: Int.self)
            return try JSONResponse.make(try await query { try JobService(database: $0).job(id: id) })
        }
        api.get("jobs/{job}/events") { _, context in
            let id = try context.parameters.require("job", as: Int.self)
            let first = try await query { try JobService(database: $0).job(id: id) }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                            body: ResponseBody { writer in try await streamEvents(of: first, to: &writer) })
        }
    }

    /// Seconds between looks at a streamed job: the worker's heartbeats are seconds apart.
    static let eventPollSeconds = 0.5

    /// Sends the job as an `event: job` each time its row changes (status, attempts, heartbeat,
    /// error, result) until it is done or failed, then `event: end`.
    private func streamEvents(of first: JobRecord, to writer: inout any ResponseBodyWriter) async throws {
        var last = first
        try await writer.write(try Self.event("job", last))
        while last.status != .done && last.status != .failed {
            try await Task.sleep(for: .seconds(Self.eventPollSeconds))
            let id = last.id
            let now = try await query { try JobService(database: $0).job(id: id) }
            if now != last { try await writer.write(try Self.event("job", now)) }
            last = now
        }
        try await writer.write(try Self.event("end", last))
        try await writer.finish(nil)
    }

    /// One server-sent event whose data is `value` on one line.
    static func event(_ name: String, _ value: some Encodable) throws -> ByteBuffer {
        let data = String(decoding: try JSONStyle.compactEncoder().encode(value), as: UTF8.self)
        return ByteBuffer(string: "event: \(name)\ndata: \(data)\n\n")
    }
}
