import Hummingbird

/// Serves a read route from the ``ResponseCache`` when it can, and keeps what the route answers.
///
/// It sits after authentication, so a cached answer is given only to a request allowed to read
/// it. Only GETs are cached, and not the jobs' routes: a job's status and progress change with
/// every heartbeat, without a `data_changed` notice.
struct ResponseCacheMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let cache: ResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, Self.isCacheable(path: request.uri.path) else { return try await next(request, context) }
        let key = request.uri.description
        switch await cache.lookup(key) {
        case .hit(let entry), .waited(let entry?):
            return entry.response(to: request)
        case .waited(nil), .compute(nil):
            return try await next(request, context)
        case .compute(let ticket?):
            do {
                let response = try await next(request, context)
                guard response.status == .ok else {
                    cache.finish(key, nil, ticket: ticket)
                    return response
                }
                let entry = ResponseCache.Entry(headers: response.headers, body: try await Self.collect(response.body))
                cache.finish(key, entry, ticket: ticket)
                return entry.response(to: request)
            } catch {
                cache.finish(key, nil, ticket: ticket)
                throw error
            }
        }
    }

    /// True for the paths whose answers depend only on the data that sends `data_changed`.
    static func isCacheable(path: String) -> Bool {
        !(path == "/jobs" || path.hasPrefix("/jobs/") || path == "/api/v1/jobs" || path.hasPrefix("/api/v1/jobs/"))
    }

    /// The whole body of a response the routes made (they answer with one buffer).
    private static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let collector = Collector()
        try await body.write(collector)
        return collector.box.buffer
    }
}

/// A body writer that keeps what is written (its box outlives the consumed writer).
private struct Collector: ResponseBodyWriter {
    final class Box { var buffer = ByteBuffer() }
    let box = Box()

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        box.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
