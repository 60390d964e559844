import Foundation
import Store

/// The `dtb` executable beside the test bundle (built with the package), when present.
public let dtbExecutable: URL? = {
    let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dtb")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}()

public struct CrashTestError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs `dtb arguments` against `database` with `DTB_STALL_BEFORE_COMMIT`, waits until it has
/// written everything but not committed, `kill -9`s it, and waits until the server has rolled its
/// transaction back (the table counts are `expected` again) or 10 s have passed.
/// Returns the table counts seen last.
public func killBeforeCommit(_ arguments: [String], database: Database, expected: [String: Int]) throws -> [String: Int] {
    guard let dtbExecutable else { throw CrashTestError(description: "no dtb executable beside the tests") }
    let child = Process()
    child.executableURL = dtbExecutable
    child.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["DTB_DATABASE_URL"] = try TestDatabase.connectionString(for: database)
    environment["DTB_HOME"] = database.home.root.path
    environment["DTB_STALL_BEFORE_COMMIT"] = "60"
    child.environment = environment
    let errors = Pipe()
    child.standardError = errors
    child.standardOutput = FileHandle.nullDevice
    try child.run()
    var seen = ""
    let deadline = Date().addingTimeInterval(60)
    while !seen.contains("stalling before commit") && Date() < deadline && child.isRunning {
        let chunk = errors.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        seen += String(decoding: chunk, as: UTF8.self)
    }
    kill(child.processIdentifier, SIGKILL)
    child.waitUntilExit()
    guard seen.contains("stalling before commit"), child.terminationReason == .uncaughtSignal else {
        throw CrashTestError(description: "dtb \(arguments.joined(separator: " ")) did not stall before its commit; stderr: \(seen)")
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
