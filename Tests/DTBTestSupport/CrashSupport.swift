import Foundation
import Store

/// A crash test's child did not die where it was meant to.
public struct CrashTestError: Error, CustomStringConvertible {
    /// The command and what it did instead.
    public var description: String
}

/// Runs `dtb arguments` against `database` with `DTB_STALL_BEFORE_COMMIT`, waits until it has
/// written everything but not committed, `kill -9`s it, and waits until the server has rolled its
/// transaction back (the table counts are `expected` again) or 10 s have passed.
/// Returns the table counts seen last.
public func killBeforeCommit(_ arguments: [String], database: Database, expected: [String: Int]) throws -> [String: Int] {
    let outcome = try DTBCommand(database: database).run(arguments, environment: ["DTB_STALL_BEFORE_COMMIT": "60"],
                                                         timeout: .seconds(120)) { $0.contains("stalling before commit") }
    guard outcome.stderr.contains("stalling before commit"), outcome.termination == .signalled(SIGKILL) else {
        throw CrashTestError(description: "dtb \(arguments.joined(separator: " ")) did not stall before its commit; stderr: \(outcome.stderr)")
    }
    // The server rolls the dead session's transaction back once it notices the closed socket.
    var after = try tableCounts(database.connection)
    let wait = Date().addingTimeInterval(10)
    while after != expected && Date() < wait {
        Thread.sleep(forTimeInterval: 0.1)
        after = try tableCounts(database.connection)
    }
    return after
}

/// Throws unless every file the database records exists with its checksum.
public func verifyRecordedFiles(_ database: Database) throws {
    for row in try database.connection.query("SELECT id, relative_path, sha256, size_bytes FROM data_file") {
        _ = try database.files.verify(StoredFile(id: row[0].int!, relativePath: row[1].string!, sha256: row[2].string!,
                                                 size: Int64(row[3].int!)))
    }
}
