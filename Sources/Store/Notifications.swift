import Foundation
import Postgres

/// The JSON payload of a `NOTIFY` that dtb sends; its type names the channel, so sender and
/// listener share one definition of both.
public protocol NotificationPayload: Codable, Sendable {
    /// The channel the payload is sent on (`LISTEN <channel>` to receive it).
    static var channel: String { get }
}

/// `NOTIFY subject_data`: a subject-session gained data. Sent inside the ingest transaction, so
/// it is delivered at commit and never for a rolled-back ingest.
public struct SubjectDataNotification: NotificationPayload, Equatable {
    public static let channel = "subject_data"
    /// Subject label without `sub-`.
    public var subject: String
    /// Session label without `ses-`; "" for a dataset without sessions.
    public var session: String
    /// Modalities (anat, dwi, func, pet) that gained scans or measures, sorted.
    public var modalities: [String]

    public init(subject: String, session: String, modalities: [String]) {
        self.subject = subject; self.session = session; self.modalities = modalities
    }
}

/// `NOTIFY twin_version`: a twin gained a version (sent inside the build's transaction).
public struct TwinVersionNotification: NotificationPayload, Equatable {
    public static let channel = "twin_version"
    /// Twin name.
    public var twin: String
    /// The new version's number.
    public var version: Int

    public init(twin: String, version: Int) { self.twin = twin; self.version = version }
}

/// `NOTIFY data_changed`: a committed statement changed a table the HTTP API reads (sent by the
/// triggers of `Schema/0008_change_notices.sql`, not by Swift code, so no writer can forget it).
public struct DataChangedNotification: NotificationPayload, Equatable {
    public static let channel = "data_changed"
    /// The table the statement changed.
    public var table: String

    public init(table: String) { self.table = table }
}

extension PostgresConnection {
    /// Sends `payload` on its channel as one line of JSON in ``JSONStyle``.
    public func notify(_ payload: some NotificationPayload) throws {
        let text = String(decoding: try JSONStyle.compactEncoder().encode(payload), as: UTF8.self)
        try notify(type(of: payload).channel, payload: text)
    }
}

extension PostgresNotification {
    /// The payload as `type`; nil when the notification came on another channel.
    public func decode<P: NotificationPayload>(_ type: P.Type) throws -> P? {
        guard channel == P.channel else { return nil }
        return try JSONStyle.decoder().decode(P.self, from: Data(payload.utf8))
    }
}
