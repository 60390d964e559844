import DTBTestSupport
import Foundation
import Store
import Testing

/// The built `dtb` on data homes and file stores that break: `dtb fsck`, first starts run at once
/// or killed, and an installed copy away from the checkout.
@Suite(.requires(.dtbExecutable)) struct ReliabilityCommandTests {
    /// `dtb` with `arguments` on its own new data home (no `DTB_DATABASE_URL`).
    func dtb(_ arguments: [String], home: URL, killOnStandardErrorLine: ((Substring) -> Bool)? = nil) throws -> ChildProcess.Outcome {
        var environment = ProcessInfo.processInfo.environment
        environment["DTB_DATABASE_URL"] = nil
        environment["DTB_HOME"] = home.path
        return try ChildProcess.run(executable: #require(Prerequisites.dtbExecutable), arguments: arguments, environment: environment,
                                    timeout: .seconds(120), killOnStandardErrorLine: killOnStandardErrorLine)
    }

    func scratch(_ name: String) -> URL {
        TestDatabase.root.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    }

    @Test func fsckReportsDamageWithExitOneAndChangesNothing() throws {
        let database = try TestDatabase.make()
        let staged = try database.files.stage(kind: "twins", extension: "h5") { try Data("network".utf8).write(to: $0) }
        let stored = try database.connection.transaction { try database.files.register(staged, on: $0) }
        let command = try DTBCommand(database: database)
        let clean = try command.run(["fsck", "--json"])
        #expect(clean.status == 0, "\(clean.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any]
        #expect(report?["rows"] as? Int == 1 && report?["remaining"] as? Int == 0)

        try Data("NETWORK".utf8).write(to: database.files.url(of: stored.relativePath))
        let before = try StoreSnapshot(database)
        for arguments in [["fsck"], ["fsck", "--repair"]] {
            let damaged = try command.run(arguments)
            #expect(damaged.status == 1)
            #expect(damaged.stdout == "checksum       \(stored.relativePath)\n1 rows, 1 files: 1 problems, 1 remaining\n")
            #expect(damaged.stderr.hasSuffix("dtb: 1 file store problems remain\n"))
            #expect(try StoreSnapshot(database) == before)
        }
    }

    @Test func threeFirstStartsOfOneNewHomeAtOnceAllSucceed() async throws {
        let home = scratch("first-starts")
        let outcomes = try await withThrowingTaskGroup(of: ChildProcess.Outcome.self) { group in
            for _ in 0..<3 { group.addTask { try self.dtb(["db", "start"], home: home) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { _ = try? dtb(["db", "stop"], home: home) }
        for outcome in outcomes { #expect(outcome.status == 0, "\(outcome.stderr)") }
        let status = try dtb(["db", "status", "--json"], home: home)
        #expect(status.stdout.contains("\"status\" : \"running\""))
        #expect(status.stdout.contains("\"schema_version\" : \(try Migrator.project().migrations.count)"))
    }

    /// `kill -9` of the whole process group (dtb and its initdb) during the first start: the next
    /// start succeeds.
    @Test func aFirstStartKilledDuringInitdbIsRedoneByTheNext() throws {
        let home = scratch("killed-start")
        let killed = try dtb(["db", "start"], home: home) { line in
            guard line.contains("creating a PostgreSQL cluster") else { return false }
            Thread.sleep(forTimeInterval: 0.8)   // into initdb
            return true
        }
        #expect(killed.termination == .signalled(SIGKILL))
        let again = try dtb(["db", "start"], home: home)
        defer { _ = try? dtb(["db", "stop"], home: home) }
        #expect(again.status == 0, "\(again.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: home.path)
        #expect(!names.contains { $0.hasPrefix("postgres.init-") })
        #expect(try dtb(["db", "status"], home: home).stdout.hasPrefix("database: embedded (running)"))
    }

    /// A copy of `dtb` on `PATH` and a symlink to it, run from `/`: both migrate a new database
    /// (the copy from the migrations compiled in, the symlink from its checkout's `Schema/`).
    @Test func anInstalledDtbWorksFromAnywhere() throws {
        let executable = try #require(Prerequisites.dtbExecutable)
        let bin = scratch("installed").appendingPathComponent("bin", isDirectory: true)
        let links = bin.deletingLastPathComponent().appendingPathComponent("links", isDirectory: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: links, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: executable, to: bin.appendingPathComponent("dtb"))
        try FileManager.default.createSymbolicLink(at: links.appendingPathComponent("dtb"), withDestinationURL: executable)
        for directory in [bin, links] {
            let database = try TestDatabase.make()
            try database.connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")   // so dtb must migrate it
            var environment = try DTBCommand.environment(for: database)
            environment["PATH"] = directory.path + ":" + (environment["PATH"] ?? "")
            let outcome = try ChildProcess.run(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "cd / && exec dtb fsck --json"],
                                               environment: environment)
            #expect(outcome.status == 0, "\(directory.lastPathComponent): \(outcome.stderr)")
            #expect(try database.connection.query("SELECT count(*) FROM schema_migration").scalar().int == (try Migrator.project().migrations.count))
        }
    }
}
