/// An error reported by libpq or by the PostgreSQL server.
///
/// Server errors carry the five-character SQLSTATE code (for example `23505` for a unique
/// violation) and the server's primary message, detail and hint, so callers can branch on the
/// code and users read the server's own words.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// The SQLSTATE code, or `nil` for client-side failures (connection lost, bad URL).
    public var sqlState: String?
    /// The primary, human-readable message.
    public var message: String
    /// Optional secondary detail from the server.
    public var detail: String?
    /// Optional advice from the server.
    public var hint: String?

    /// Whether libpq found the connection broken when the error came (the server went away,
    /// the socket closed): such errors carry no SQLSTATE of their own.
    public var connectionLost: Bool

    public init(sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil, connectionLost: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.connectionLost = connectionLost
    }

    public var description: String {
        var text = message
        if let detail { text += " (\(detail))" }
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        return text
    }

    /// `true` for a unique-constraint violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// `true` for any integrity-constraint violation (SQLSTATE class 23).
    public var isIntegrityViolation: Bool { sqlState?.hasPrefix("23") ?? false }
    /// `true` when a lock could not be had without waiting (SQLSTATE 55P03).
    public var isLockNotAvailable: Bool { sqlState == "55P03" }
}
