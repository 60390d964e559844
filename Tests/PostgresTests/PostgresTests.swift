import DTBTestSupport
import Foundation
import Postgres
import Store
import Testing

@Suite struct PostgresTests {
    let connection: PostgresConnection
    let database: Database

    init() throws {
        database = try TestDatabase.make()
        connection = database.connection
    }

    @Test func typedParametersRoundTrip() throws {
        let row = try connection.query(
            "SELECT $1::int8 + 1, $2::float8 * 2, $3 || '!', $4, $5::float8[], $6::text[], $7::jsonb ->> 'a'",
            [41, 1.25, "it's", true, [1.5, -2.0], ["a,b", "c\"d"], PostgresJSON(text: #"{"a": "x"}"#)])[0]
        #expect(row[0].int == 42)
        #expect(row[1].double == 2.5)
        #expect(row[2].string == "it's!")
        #expect(row[3].bool == true)
        #expect(row[4].doubles == [1.5, -2.0])
        #expect(row[5].strings == ["a,b", "c\"d"])
        #expect(row[6].string == "x")
    }

    @Test func valuesAreNeverSplicedIntoSQL() throws {
        try connection.execute("CREATE TABLE t (name text)")
        let hostile = "x'); DROP TABLE t; --"
        try connection.query("INSERT INTO t VALUES ($1)", [hostile])
        #expect(try connection.query("SELECT name FROM t").scalar().string == hostile)
    }

    @Test func nullParametersAndCells() throws {
        let row = try connection.query("SELECT $1::text IS NULL, NULL::int", [nil])[0]
        #expect(row[0].bool == true)
        #expect(row[1].isNull)
    }

    @Test func serverErrorsCarrySQLState() throws {
        try connection.execute("CREATE TABLE u (id int PRIMARY KEY)")
        try connection.query("INSERT INTO u VALUES (1)")
        let error = #expect(throws: PostgresError.self) { try connection.query("INSERT INTO u VALUES (1)") }
        #expect(error?.sqlState == "23505")
        #expect(error?.isUniqueViolation == true)
        #expect(error?.message.contains("duplicate key") == true)
        let syntax = #expect(throws: PostgresError.self) { try connection.execute("SELEC 1") }
        #expect(syntax?.sqlState == "42601")
    }

    @Test func transactionRollsBackOnError() throws {
        try connection.execute("CREATE TABLE v (id int)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO v VALUES (1)")
                throw Boom()
            }
        }
        try connection.transaction { connection in
            try connection.query("INSERT INTO v VALUES (2)")
            // A failing nested step rolls back to its savepoint only.
            _ = try? connection.transaction { connection in
                try connection.query("INSERT INTO v VALUES (3)")
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT array_agg(id) FROM v").scalar().ints == [2])
    }

    @Test func copyInStoresEveryRowWithEscapes() throws {
        try connection.execute("CREATE TABLE w (i int, x float8, s text)")
        let stored = try connection.copyIn("COPY w (i, x, s) FROM STDIN") { writer in
            for i in 0..<10_000 { try writer.row([i, Double(i) / 4, i == 7 ? "tab\there\nnew\\line" : nil]) }
        }
        #expect(stored == 10_000)
        let summary = try connection.query("SELECT count(*), sum(x), count(s) FROM w")[0]
        #expect(summary[0].int == 10_000)
        #expect(summary[1].double == Double((0..<10_000).reduce(0, +)) / 4)
        #expect(try connection.query("SELECT s FROM w WHERE i = 7").scalar().string == "tab\there\nnew\\line")
    }

    @Test func failedCopyStoresNothing() throws {
        try connection.execute("CREATE TABLE y (i int NOT NULL)")
        #expect(throws: PostgresError.self) {
            try connection.copyIn("COPY y (i) FROM STDIN") { writer in
                try writer.row([1])
                try writer.row([nil])
            }
        }
        #expect(try connection.query("SELECT count(*) FROM y").scalar().int == 0)
    }

    @Test func listenReceivesNotifyAfterCommit() throws {
        let listener = try TestDatabase.connect(to: database)
        try listener.listen("subject_data")
        try connection.transaction { connection in
            try connection.notify("subject_data", payload: "sub-01")
            #expect(try listener.waitForNotification(timeout: 0.2) == nil)
        }
        let notification = try listener.waitForNotification(timeout: 5)
        #expect(notification?.channel == "subject_data")
        #expect(notification?.payload == "sub-01")
        #expect(notification?.senderPID == connection.backendPID)
    }

    @Test func advisoryLocksExcludeOtherSessions() throws {
        let other = try TestDatabase.connect(to: database)
        try connection.transaction { connection in
            try connection.advisoryTransactionLock(77)
            #expect(try other.tryAdvisoryTransactionLock(77) == false)
        }
        #expect(try other.tryAdvisoryTransactionLock(77) == true)
    }

    @Test func badConnectionStringIsAnError() {
        let error = #expect(throws: PostgresError.self) { try PostgresConnection("host=/nonexistent/dir dbname=x") }
        #expect(error?.message.contains("could not connect") == true)
    }
}
