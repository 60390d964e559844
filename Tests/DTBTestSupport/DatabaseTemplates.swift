import Foundation
import Postgres
import Store

extension TestDatabase {
    /// A new database that starts as a copy of the one `prepare` made for `key`.
    ///
    /// The first call for `key` in this test process runs `prepare` on a fresh database and keeps
    /// that database as a template; every call, the first included, then clones it with
    /// `CREATE DATABASE … TEMPLATE …` and copies its data home, so each test still gets a database
    /// and files of its own. Calls for one key wait while it is being prepared, suspended rather
    /// than blocking, so that their threads run other tests meanwhile; a preparation that failed
    /// fails every call for its key with the same error.
    /// - Returns: the new database and what `prepare` returned (the same value for every call).
    public static func make<Value: Sendable>(preparedWith key: String, _ prepare: @escaping @Sendable (Database) throws -> Value)
        async throws -> (database: Database, value: Value) {
        let template = try await templates.preparation(for: key) { try DatabaseTemplate(preparing: prepare) }.value
        guard let value = template.value as? Value else {
            throw PreparedDatabaseError(description: "prepared database '\(key)' holds a \(type(of: template.value)), not a \(Value.self)")
        }
        return (try create(named: uniqueName("test"), copying: template), value)
    }

    private static let templates = TemplateShelf()
}

/// Two preparations under one key returned different types.
public struct PreparedDatabaseError: Error, CustomStringConvertible {
    /// The key and the two types.
    public let description: String
}

/// A database prepared once and closed to connections, so that it can be cloned: PostgreSQL
/// copies a database only while nobody is connected to it.
struct DatabaseTemplate: Sendable {
    /// The template database's name.
    let name: String
    /// Its data home, whose files its rows point to by relative path.
    let home: DataHome
    /// What the preparation returned.
    let value: any Sendable

    init<Value: Sendable>(preparing prepare: (Database) throws -> Value) throws {
        name = TestDatabase.uniqueName("template")
        (home, value) = try Self.prepareAndClose(name, prepare)
        try TestDatabase.administer { admin in
            try admin.execute("ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS false")
            // A connection `prepare` kept would block every clone; nothing may use it any more.
            try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name])
        }
    }

    /// Runs `prepare` on a new database `name`; the database's own connection closes on return.
    private static func prepareAndClose<Value: Sendable>(_ name: String, _ prepare: (Database) throws -> Value) throws
        -> (DataHome, Value) {
        let database = try TestDatabase.create(named: name)
        return (database.home, try prepare(database))
    }

    /// Copies the template's data home (files, and whatever else `prepare` left there) to `home`,
    /// which must not exist yet.
    func copyHome(to home: DataHome) throws {
        try FileManager.default.copyItem(at: self.home.root, to: home.root)
    }
}

/// The templates of one test process, by key: each is prepared once, by a task of its own.
private actor TemplateShelf {
    private var preparations: [String: Task<DatabaseTemplate, any Error>] = [:]

    /// The preparation of `key`'s template, started with `make` by the first caller; detached, so
    /// that preparing one key leaves the shelf free for the others.
    func preparation(for key: String, _ make: @escaping @Sendable () throws -> DatabaseTemplate) -> Task<DatabaseTemplate, any Error> {
        if let preparation = preparations[key] { return preparation }
        let preparation = Task.detached { try make() }
        preparations[key] = preparation
        return preparation
    }
}
