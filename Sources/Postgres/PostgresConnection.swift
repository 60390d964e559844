import Foundation
internal import CLibPQ
internal import Primitives

/// A notification received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var senderPID: Int32
}

/// One blocking connection to a PostgreSQL server through libpq.
///
/// A connection is not safe to share between threads; open one per thread or task. Every value
/// travels as a typed parameter (`$1`, `$2`, …), never spliced into SQL text.
public final class PostgresConnection {
    private let handle: OpaquePointer
    private var transactionDepth = 0

    /// Connects with a `postgresql://` URL or a `key=value` connection string
    /// (for a unix socket: `host=/path/to/socket/dir dbname=… user=…`).
    public init(_ connectionString: String) throws {
        guard let connection = PQconnectdb(connectionString) else {
            throw PostgresError(message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(message: "could not connect: \(message)")
        }
        handle = connection
        // Our own notices (e.g. "relation already exists, skipping") are not the user's business.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// The server process serving this connection.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// A `key='value'` connection string with the options this connection was made with (host or
    /// socket directory, port, database, user, …): another thread opens its own connection to the
    /// same database with it, since a connection is not to be shared.
    public var connectionInfo: String {
        guard let options = PQconninfo(handle) else { return "" }
        defer { PQconninfoFree(options) }
        var pairs: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val, value.pointee != 0 {
                let text = String(cString: value).replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "'", with: "\\'")
                pairs.append("\(String(cString: keyword))='\(text)'")
            }
            option += 1
        }
        return pairs.joined(separator: " ")
    }

    /// Runs one statement with typed parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> PostgresResult {
        let texts = parameters.map { $0?.postgresText }
        let types = parameters.map { $0.map { type(of: $0).postgresTypeOID } ?? 0 }
        let result = withCStrings(texts) { pointers in
            PQexecParams(handle, sql, Int32(parameters.count), types, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs one or more statements without parameters (migrations, DDL).
    public func execute(_ sql: String) throws {
        try consume(PQexec(handle, sql))
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls become savepoints, so a helper that needs atomicity can always ask for it.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let savepoint = "dtb_sp_\(transactionDepth)"
        try execute(transactionDepth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        do {
            let value = try body(self)
            transactionDepth -= 1
            try execute(transactionDepth == 0 ? "COMMIT" : "RELEASE SAVEPOINT \(savepoint)")
            return value
        } catch {
            transactionDepth -= 1
            try? execute(transactionDepth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint)")
            throw error
        }
    }

    /// Streams rows into `COPY table (columns) FROM STDIN` in text format.
    ///
    /// `body` receives a writer and calls `row(_:)` once per row; nothing is buffered beyond
    /// libpq's own send buffer, so arbitrarily many rows go in bounded memory.
    /// - Returns: the number of rows the server stored.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        try startCopy(sql)
        var writer = PostgresCopyWriter(connection: self)
        do {
            try body(&writer)
            try writer.flush()
            guard PQputCopyEnd(handle, nil) == 1 else { throw lastError() }
        } catch {
            _ = PQputCopyEnd(handle, "aborted by client: \(error)")
            drainResults()
            throw error
        }
        return try consume(PQgetResult(handle)).affectedRows
    }

    fileprivate func sendCopyData(_ bytes: [UInt8]) throws {
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(handle, $0, Int32(buffer.count))
            }
        }
        guard status == 1 else { throw lastError() }
    }

    // MARK: LISTEN / NOTIFY

    /// Starts listening on `channel`.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(quoteIdentifier(channel))")
    }

    /// Sends a notification; it is delivered when the surrounding transaction commits.
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Waits up to `timeout` seconds for a notification on a channel this connection listens to.
    public func waitForNotification(timeout: Double) throws -> PostgresNotification? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard PQconsumeInput(handle) == 1 else { throw lastError() }
            if let notification = nextNotification() { return notification }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000))
        }
    }

    private func nextNotification() -> PostgresNotification? {
        guard let raw = PQnotifies(handle) else { return nil }
        defer { PQfreemem(raw) }
        return PostgresNotification(
            channel: String(cString: raw.pointee.relname),
            payload: String(cString: raw.pointee.extra),
            senderPID: raw.pointee.be_pid)
    }

    // MARK: Advisory locks

    /// Takes a transaction-scoped advisory lock, waiting for it; released at commit or rollback.
    public func advisoryTransactionLock(_ key: Int64) throws {
        try query("SELECT pg_advisory_xact_lock($1)", [key])
    }

    /// Takes the transaction-scoped advisory lock of `name`: its key is the name's 64-bit FNV-1a hash,
    /// the same in every process (Swift's `hashValue` is seeded per process).
    public func advisoryTransactionLock(named name: String) throws {
        try advisoryTransactionLock(Int64(bitPattern: FNV1a64(name.utf8).value))
    }

    /// Tries a transaction-scoped advisory lock without waiting; `false` when another session holds it.
    public func tryAdvisoryTransactionLock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_try_advisory_xact_lock($1)", [key]).scalar().bool ?? false
    }

    /// Tries the session-scoped advisory lock of `name` without waiting; `false` when another
    /// session holds it. Held until ``advisorySessionUnlock(named:)`` or the connection ends, so a
    /// killed process gives it up with its connection.
    public func tryAdvisorySessionLock(named name: String) throws -> Bool {
        try query("SELECT pg_try_advisory_lock($1)", [Int64(bitPattern: FNV1a64(name.utf8).value)]).scalar().bool ?? false
    }

    /// Releases a session-scoped advisory lock taken by ``tryAdvisorySessionLock(named:)``.
    public func advisorySessionUnlock(named name: String) throws {
        try query("SELECT pg_advisory_unlock($1)", [Int64(bitPattern: FNV1a64(name.utf8).value)])
    }

    /// Quotes an identifier (table, channel) for the few statements that cannot take parameters.
    public func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Results

    @discardableResult
    private func consume(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else { throw lastError() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return copyRows(result)
        default:
            throw error(from: result)
        }
    }

    private func startCopy(_ sql: String) throws {
        guard let result = PQexec(handle, sql) else { throw lastError() }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else { throw error(from: result) }
    }

    private func copyRows(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = PQntuples(result), columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var cells: [[String?]] = []
        cells.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            cells.append((0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(columns: columns, affectedRows: affected, cells: cells)
    }

    private func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let primary = field("M") ?? Self.trimmed(PQresultErrorMessage(result))
        return PostgresError(sqlState: field("C"), message: primary, detail: field("D"), hint: field("H"),
                             connectionLost: PQstatus(handle) == CONNECTION_BAD)
    }

    private func lastError() -> PostgresError {
        PostgresError(message: Self.trimmed(PQerrorMessage(handle)), connectionLost: PQstatus(handle) == CONNECTION_BAD)
    }

    private func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown libpq error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Writes rows of a `COPY … FROM STDIN` in PostgreSQL's text format.
public struct PostgresCopyWriter {
    fileprivate let connection: PostgresConnection
    private var buffer: [UInt8] = []

    fileprivate init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(1 << 16)
    }

    /// Appends one row; `nil` is SQL `NULL`.
    public mutating func row(_ values: [(any PostgresBindable)?]) throws {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(0x09) }
            if let value { appendEscaped(value.postgresText) } else { buffer.append(contentsOf: Array("\\N".utf8)) }
        }
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    fileprivate mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try connection.sendCopyData(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Escapes the characters that are special in COPY's text format.
    private mutating func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            default: buffer.append(byte)
            }
        }
    }
}

/// Calls `body` with NUL-terminated copies of `strings` (NULL pointers for `nil`).
private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let copies = strings.map { $0.map { strdup($0)! } }
    defer { copies.forEach { free($0) } }
    return try body(copies.map { $0.map { UnsafePointer($0) } })
}
