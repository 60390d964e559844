import Foundation
import Hummingbird
import Services

/// Gives each request the role of its bearer token (`Authorization: Bearer dtb_…`, or the
/// `dtb_token` cookie a browser keeps for the dashboard), and refuses (401) one without a live
/// token — unless the server runs `--open`, where a request without a token may read and queue
/// work (the server then listens on loopback only; see ``WebServiceConfiguration``).
struct TokenAuthentication: RouterMiddleware {
    typealias Context = APIRequestContext
    let pool: DatabasePool
    /// `dtb serve --open`.
    let open: Bool
    /// Live tokens already checked.
    let tokens: TokenCache

    /// The role a request without a token has on an open server.
    static let openRole = APIRole.write

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let secret = Self.secret(of: request) {
            context.role = try await role(of: secret)
        } else if open {
            context.role = Self.openRole
        } else {
            throw Problem(.unauthorized, "this server needs a token: send Authorization: Bearer <token> (`dtb token create --role read`)",
                          headers: Problem.challenge)
        }
        return try await next(request, context)
    }

    /// The role of a live token, from the cache or else from the database (which alone refuses).
    private func role(of secret: String) async throws -> APIRole {
        if let role = tokens.role(of: secret) { return role }
        let ticket = tokens.ticket()
        let grant = try await pool.withDatabase { try TokenService(database: $0).grant(of: secret) }
        if let ticket { tokens.keep(grant, for: secret, ticket: ticket) }
        return grant.role
    }

    /// The secret the request presents, if any: the bearer token, else the cookie.
    static func secret(of request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : header
        }
        for cookie in request.headers[values: .cookie].flatMap({ $0.split(separator: ";") }) {
            let pair = cookie.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 && pair[0] == "dtb_token" { return pair[1] }
        }
        return nil
    }
}
