import Foundation
import Postgres

/// One row of `job`, as `dtb jobs` shows it and a handler receives it.
///
/// JSON (in ``Store/JSONStyle``): `{"id", "kind", "idempotency_key", "payload", "status", "attempts",
/// "max_attempts", "lease_owner"?, "lease_expires_at"?, "heartbeat_at"?, "last_error"?, "result"?,
/// "depends_on"?, "created_at", "started_at"?, "finished_at"?}`, times ISO 8601 UTC.
public struct JobRecord: Sendable, Codable, Equatable {
    public var id: Int
    public var kind: JobKind
    public var idempotencyKey: String
    public var payload: JSONValue
    public var status: JobStatus
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: String?
    public var heartbeatAt: String?
    public var lastError: String?
    public var result: JSONValue?
    public var dependsOn: Int?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?

    /// The select list that ``init(row:)`` reads, with times as ISO 8601 UTC to the second.
    static let columns = """
        id, kind, idempotency_key, payload::text AS payload, status, attempts, max_attempts, lease_owner,
        \(time("lease_expires_at")), \(time("heartbeat_at")), last_error, result::text AS result, depends_on,
        \(time("created_at")), \(time("started_at")), \(time("finished_at"))
        """

    private static func time(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS \(column)"
    }

    /// A row selected with ``columns``.
    init(row: PostgresRow) throws {
        guard let id = row["id"].int, let kind = row["kind"].string.flatMap(JobKind.init(rawValue:)),
              let status = row["status"].string.flatMap(JobStatus.init(rawValue:)),
              let key = row["idempotency_key"].string, let payload = row["payload"].string,
              let attempts = row["attempts"].int, let maxAttempts = row["max_attempts"].int,
              let created = row["created_at"].string else {
            throw JobError.invalid("a job row is missing a required column")
        }
        self.id = id; self.kind = kind; self.status = status; idempotencyKey = key
        self.payload = try JSONValue(text: payload)
        self.attempts = attempts; self.maxAttempts = maxAttempts
        leaseOwner = row["lease_owner"].string; leaseExpiresAt = row["lease_expires_at"].string
        heartbeatAt = row["heartbeat_at"].string; lastError = row["last_error"].string
        result = try row["result"].string.map(JSONValue.init(text:))
        dependsOn = row["depends_on"].int
        createdAt = created; startedAt = row["started_at"].string; finishedAt = row["finished_at"].string
    }
}
