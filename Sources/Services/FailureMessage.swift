import Foundation
import Postgres

/// The line a user reads for an error that reached the command line: a workflow's own errors as
/// they are; a database failure no check could foresee (a full disk, a lost connection, a server
/// shutting down, a refused statement) as what happened and that the work in progress was rolled
/// back, instead of the server's raw text.
public enum FailureMessage {
    /// One line for `error`.
    public static func line(for error: any Error) -> String {
        guard let error = error as? PostgresError else { return String(describing: error) }
        // libpq's own messages run over several indented lines.
        let message = error.message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return "\(what(error)) (\(message)); \(rolledBack)"
    }

    /// Every command writes in transactions, so a failure leaves the database as it was before
    /// the step in progress (an ingest keeps the subject-sessions it finished before).
    static let rolledBack = "the transaction in progress was rolled back and nothing of it was stored"

    private static func what(_ error: PostgresError) -> String {
        let state = error.sqlState ?? ""
        switch state {
        case "53100": return "the database server's disk is full; free space and run the command again"
        case "53200": return "the database server ran out of memory"
        case "53300": return "the database server has too many connections; try again when fewer dtb processes run"
        case "57P01", "57P02", "57P03": return "the database server ended the connection (it is shutting down or restarting, or an administrator terminated the session)"
        case _ where state.hasPrefix("08") || (error.sqlState == nil && error.connectionLost):
            return "lost the connection to the database server"
        case _ where state.hasPrefix("40"): return "the database server aborted the transaction (a conflict with another process); run the command again"
        case "": return "the database client failed"
        default: return "the database server refused the request [SQLSTATE \(state)]"
        }
    }
}
