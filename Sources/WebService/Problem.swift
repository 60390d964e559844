import AtlasCatalog
import Foundation
import Hummingbird
import Jobs
import Services
import Store
import Studies
import Twins

/// An error as the API reports it: an RFC 9457 problem document (`application/problem+json`)
/// `{"type": "about:blank", "title", "status", "detail"}` — one line of detail, never a stack
/// trace or SQL.
public struct Problem: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var detail: String
    /// Headers the response carries besides its type (`WWW-Authenticate` of a 401).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status; self.detail = detail; self.headers = headers
    }

    /// The document's fields.
    struct Document: Codable, Equatable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        let document = Document(title: status.reasonPhrase, status: status.code, detail: detail)
        return Response(status: status, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONStyle.documentEncoder().encode(document))))
    }

    /// The problem an error thrown by a handler or the router stands for. Errors of the request
    /// (unknown names, bad values) keep their one-line text; anything else is a 500 whose text
    /// is logged, not sent, since it may name files or SQL.
    static func from(_ error: any Error) -> (problem: Problem, internal: Bool) {
        switch error {
        case let problem as Problem: return (problem, false)
        case let refusal as APITokenRefusal: return (Problem(.unauthorized, refusal.description, headers: Self.challenge), false)
        case let error as any HTTPResponseError:
            return (Problem(error.status, (error as? HTTPError)?.body ?? error.status.reasonPhrase), error.status.code >= 500)
        case let error as ServiceError: return (Problem(.badRequest, error.description), false)
        case StoreError.notFound(let detail), TwinError.notFound(let detail): return (Problem(.notFound, detail), false)
        case StoreError.conflict(let detail): return (Problem(.conflict, detail), false)
        case let TwinError.invalid(detail), let TwinError.unsupported(detail), let TwinError.missingData(detail):
            return (Problem(.unprocessableContent, detail), false)
        case JobError.notFound(let job): return (Problem(.notFound, "job \(job) does not exist"), false)
        case StudyError.notFound(let detail): return (Problem(.notFound, detail), false)
        case StudyError.invalid(let detail): return (Problem(.unprocessableContent, detail), false)
        default: return (Problem(.internalServerError, "the server failed to answer this request; its log has the cause"), true)
        }
    }

    /// What a 401 tells the client to send.
    static let challenge: HTTPFields = [.wwwAuthenticate: #"Bearer realm="dtb""#]
}

/// Turns every error below it into a problem document; logs the cause of a 500.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (problem, isInternal) = Problem.from(error)
            if isInternal { context.logger.error("\(request.method) \(request.uri.path): \(String(describing: error))") }
            return try problem.response(from: request, context: context)
        }
    }
}

/// Answers 405 (with `Allow`) for a method an `/api/v1` path does not have, as the OpenAPI
/// document lists them (the document and the router are the same set, `OpenAPITests`), instead of
/// the router's 404.
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method == .head ? "GET" : request.method.rawValue
        if let methods = OpenAPIDocument.methods(of: request.uri.path), !methods.contains(method) {
            throw Problem(.methodNotAllowed, "\(request.method.rawValue) is not a method of \(request.uri.path)",
                          headers: [.allow: methods.sorted().joined(separator: ", ")])
        }
        return try await next(request, context)
    }
}
