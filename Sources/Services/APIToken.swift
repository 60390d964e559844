import Foundation
import Postgres

/// What an API token may do (`api_token.role`); each role includes the ones before it.
public enum APIRole: String, Sendable, Codable, CaseIterable, Comparable, PostgresBindable {
    /// GET requests only.
    case read
    /// Also queue work (validations, assimilations, plans, ingests).
    case write
    /// Everything the server offers.
    case admin

    /// True when a holder of this role may do what `required` allows.
    public func permits(_ required: APIRole) -> Bool { self >= required }

    public static func < (a: APIRole, b: APIRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The role as the database spells it.
    public var postgresText: String { rawValue }
    /// Sent as `text`, which the column's CHECK constraint compares with its list.
    public static var postgresTypeOID: UInt32 { PostgresType.text }
}

/// What a live token lets a request do: its role, until its expiry (nil: until it is revoked).
public struct APITokenGrant: Sendable, Equatable {
    public var role: APIRole
    public var expiresAt: Date?

    public init(role: APIRole, expiresAt: Date?) { self.role = role; self.expiresAt = expiresAt }
}

/// A stored token as `dtb token list` shows it (never its secret, which is not stored).
///
/// JSON: `{"id", "name", "role", "state": "live"|"expired"|"revoked", "created_at", "expires_at"?, "revoked_at"?}`.
public struct APITokenInfo: Sendable, Codable, Equatable {
    /// Whether the server accepts the token now.
    public enum State: String, Sendable, Codable { case live, expired, revoked }

    public var id: Int
    public var name: String
    public var role: APIRole
    public var state: State
    public var createdAt: String
    public var expiresAt: String?
    public var revokedAt: String?
}

/// A token just created: its record and the secret, shown this once.
///
/// JSON: the fields of ``APITokenInfo`` and `"token"`.
public struct CreatedAPIToken: Sendable, Codable, Equatable {
    public var token: String
    public var info: APITokenInfo

    enum CodingKeys: String, CodingKey { case token }

    public func encode(to encoder: any Encoder) throws {
        try info.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(token, forKey: .token)
    }

    public init(from decoder: any Decoder) throws {
        info = try APITokenInfo(from: decoder)
        token = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .token)
    }

    init(token: String, info: APITokenInfo) { self.token = token; self.info = info }
}

/// Why the server refuses a presented token: each case is one line fit for a 401 problem document.
public enum APITokenRefusal: Error, Equatable, CustomStringConvertible {
    case unknown, expired, revoked

    public var description: String {
        switch self {
        case .unknown: return "the bearer token is not one of this server's tokens"
        case .expired: return "the bearer token has expired (`dtb token create` makes a new one)"
        case .revoked: return "the bearer token was revoked"
        }
    }
}
