import Foundation
import Postgres
import Store

/// API tokens: created with a random secret of which only the SHA-256 is stored, listed, revoked,
/// and checked for each request `dtb serve` receives.
public struct TokenService {
    public let database: Database
    public init(database: Database) { self.database = database }
    private var connection: PostgresConnection { database.connection }

    /// The select list ``info(_:)`` reads: times as ISO 8601 UTC, the state as the server sees it now.
    private static let columns = """
        id, name, role, \(time("created_at")), \(time("expires_at")), \(time("revoked_at")),
        CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at <= now() THEN 'expired' ELSE 'live' END AS state
        """

    private static func time(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS \(column)"
    }

    /// A new token with `role`, valid for `lifetime` seconds (nil: until revoked).
    public func create(name: String, role: APIRole, lifetime: Double?) throws -> CreatedAPIToken {
        guard !name.isEmpty, !name.contains("\0") else { throw ServiceError.invalidOption("--name", value: "''", problem: "must not be empty") }
        let secret = Self.newSecret()
        let row = try connection.query("""
            INSERT INTO api_token (name, role, secret_sha256, expires_at)
            VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision))
            RETURNING \(Self.columns)
            """, [name, role, Self.digest(secret), lifetime])
        return CreatedAPIToken(token: secret, info: try Self.info(row[0]))
    }

    /// Every token, oldest first.
    public func list() throws -> [APITokenInfo] {
        try connection.query("SELECT \(Self.columns) FROM api_token ORDER BY id").map(Self.info)
    }

    /// Ends token `id` for good; revoking a revoked token changes nothing.
    public func revoke(id: Int) throws -> APITokenInfo {
        let rows = try connection.query("""
            UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING \(Self.columns)
            """, [id])
        guard let row = rows.first else { throw StoreError.notFound("token \(id) does not exist (`dtb token list` lists them)") }
        return try Self.info(row)
    }

    /// The role of the live token whose secret is `secret`; why not, when it is unknown, expired or revoked.
    public func role(of secret: String) throws -> APIRole {
        try grant(of: secret).role
    }

    /// What the live token whose secret is `secret` grants, and until when; why not, when it is
    /// unknown, expired or revoked.
    public func grant(of secret: String) throws -> APITokenGrant {
        guard let row = try connection.query("SELECT \(Self.columns), extract(epoch FROM expires_at)::float8 AS expires_epoch FROM api_token WHERE secret_sha256 = $1",
                                             [Self.digest(secret)]).first else { throw APITokenRefusal.unknown }
        let info = try Self.info(row)
        switch info.state {
        case .live: return APITokenGrant(role: info.role, expiresAt: row["expires_epoch"].double.map(Date.init(timeIntervalSince1970:)))
        case .expired: throw APITokenRefusal.expired
        case .revoked: throw APITokenRefusal.revoked
        }
    }

    /// `dtb_` and 64 hex digits: 256 bits from the system's random source.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "dtb_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// What is stored of a secret.
    static func digest(_ secret: String) -> String { SHA256.hex(Data(secret.utf8)) }

    private static func info(_ row: PostgresRow) throws -> APITokenInfo {
        guard let id = row["id"].int, let name = row["name"].string, let role = row["role"].string.flatMap(APIRole.init(rawValue:)),
              let state = row["state"].string.flatMap(APITokenInfo.State.init(rawValue:)), let created = row["created_at"].string else {
            throw StoreError.server("an api_token row is missing a required column")
        }
        return APITokenInfo(id: id, name: name, role: role, state: state, createdAt: created,
                            expiresAt: row["expires_at"].string, revokedAt: row["revoked_at"].string)
    }
}

/// How long a token lives: `--expires 30d`, `12h`, `90m`, `45s`, or `never`.
public enum TokenLifetime {
    /// The longest lifetime accepted (ten years): a longer one is a typo more often than a wish.
    static let maximumSeconds = 10 * 365 * 86_400.0

    /// Seconds of `text`, nil for `never`; a one-line error naming `--expires` otherwise.
    public static func seconds(parsing text: String) throws -> Double? {
        if text == "never" { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Double(text.dropLast()), count.isFinite, count > 0,
              count * unit <= maximumSeconds, count * unit >= 1 else {
            throw ServiceError.invalidOption("--expires", value: text,
                                             problem: "give a duration such as 30d, 12h, 90m or 45s (at least 1 s, at most 3650d), or never")
        }
        return count * unit
    }
}
