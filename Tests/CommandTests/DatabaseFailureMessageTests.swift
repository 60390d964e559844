import DTBTestSupport
import Postgres
import Services
import Store
import Testing

/// What is left of raw database errors once every value is checked first: failures of the server
/// or the connection, each shown as one line saying what happened and that the transaction in
/// progress was rolled back — errors made by a real server where one can be made on demand.
@Suite struct DatabaseFailureMessageTests {
    static let rolledBack = "the transaction in progress was rolled back and nothing of it was stored"

    /// The error `body` throws on a real connection.
    func failure(_ body: () throws -> Void) throws -> PostgresError {
        do { try body() } catch let error as PostgresError { return error }
        throw SetupFailure()
    }

    struct SetupFailure: Error {}

    @Test func terminatedSessionAndThenNoConnection() throws {
        let database = try TestDatabase.make()
        let victim = try TestDatabase.connect(to: database)
        // The timeout makes the server wait until the session has gone.
        try database.connection.execute("SELECT pg_terminate_backend(\(victim.backendPID), 10000)")
        let terminated = try failure { _ = try victim.query("SELECT 1") }
        let first = FailureMessage.line(for: terminated)
        // libpq reports the server's farewell (57P01) when it read it before the socket closed.
        #expect(first.hasPrefix("the database server ended the connection") || first.hasPrefix("lost the connection"), "\(first)")
        #expect(first.hasSuffix(Self.rolledBack) && !first.contains("\n"), "\(first)")
        // libpq now has no connection at all: no SQLSTATE, only its broken state.
        let gone = try failure { _ = try victim.query("SELECT 1") }
        #expect(gone.sqlState == nil && gone.connectionLost)
        #expect(FailureMessage.line(for: gone).hasPrefix("lost the connection to the database server"))
    }

    @Test func refusedStatementNamesItsSQLSTATEOnce() throws {
        let database = try TestDatabase.make()
        let error = try failure { try database.connection.execute("SELECT 1/0") }
        let line = FailureMessage.line(for: error)
        #expect(line == "the database server refused the request [SQLSTATE 22012] (division by zero); \(Self.rolledBack)")
    }

    /// A full disk cannot be had on demand here; its SQLSTATE (53100) as the server sends it.
    @Test(arguments: [("53100", "disk is full"), ("53200", "out of memory"), ("53300", "too many connections"),
                      ("08006", "lost the connection"), ("40001", "aborted the transaction")])
    func serverResourceFailures(state: String, words: String) {
        let error = PostgresError(sqlState: state, message: "could not extend file \"base/1/2\": No space left on device")
        let line = FailureMessage.line(for: error)
        #expect(line.contains(words) && line.hasSuffix(Self.rolledBack), "\(line)")
    }

    @Test func otherErrorsAreShownAsTheyAre() {
        #expect(FailureMessage.line(for: ServiceError.invalidRequest("give either A or B")) == "give either A or B")
    }
}
