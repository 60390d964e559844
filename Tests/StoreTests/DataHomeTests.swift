import DTBTestSupport
import Foundation
import Postgres
import Store
import Testing

/// Data homes that must work, or be repaired or refused clearly: odd paths, interrupted and
/// concurrent first starts, a server left behind by a deleted home, a full disk.
@Suite struct DataHomeTests {
    /// A fresh home path under the test process's scratch directory.
    func scratch(_ name: String) -> URL {
        TestDatabase.root.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    }

    @Test func aHomeWithQuotesSpacesAndALongPathWorks() throws {
        let odd = "it's a \"home\" with $HOME and `x` " + String(repeating: "long/", count: 40)
        let home = DataHome(root: scratch("odd").appendingPathComponent(odd, isDirectory: true))
        #expect(home.root.path.utf8.count > 200)   // far beyond a unix socket path's 107 bytes
        let database = try Database.openEmbedded(home: home, durable: false)
        defer { try? home.cluster.stopImmediately() }
        #expect(try database.connection.query("SELECT current_database()").scalar().string == "dtb")
        let socket = home.cluster.socketDirectory
        #expect(socket.hasPrefix("/tmp/dtb-pg-") && socket.utf8.count == 28)
        try home.cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test func aTooLongHomeIsRefusedBeforeAnythingIsCreated() throws {
        let root = scratch("long").appendingPathComponent(String(repeating: "x", count: 200) + "/" + String(repeating: "y", count: 200) + "/"
                                                          + String(repeating: "z", count: 200) + "/" + String(repeating: "w", count: 200) + "/" + String(repeating: "v", count: 100))
        let error = #expect(throws: StoreError.self) { try Database.openEmbedded(home: DataHome(root: root), durable: false) }
        #expect(error?.description == "DTB_HOME is \(root.path.utf8.count) bytes long; PostgreSQL needs a data home path of at most 900 bytes")
        #expect(!FileManager.default.fileExists(atPath: root.path))
    }

    /// What a kill during the first initdb leaves (a half-built `postgres.init-<pid>`, or from an
    /// older dtb a `postgres/` without dtb's settings) is removed and the cluster made anew.
    @Test func anInterruptedFirstStartIsRedone() throws {
        let home = DataHome(root: scratch("interrupted"))
        try home.create()
        let manager = FileManager.default
        let building = home.root.appendingPathComponent("postgres.init-424242")
        try manager.createDirectory(at: building, withIntermediateDirectories: true)
        try "15\n".write(to: building.appendingPathComponent("PG_VERSION"), atomically: true, encoding: .utf8)
        let legacy = home.cluster.directory
        try manager.createDirectory(at: legacy, withIntermediateDirectories: true)
        try "15\n".write(to: legacy.appendingPathComponent("PG_VERSION"), atomically: true, encoding: .utf8)
        try "# half written by initdb\n".write(to: legacy.appendingPathComponent("postgresql.conf"), atomically: true, encoding: .utf8)
        #expect(try home.cluster.status() == .stopped)   // what every later run used to trip over

        let database = try Database.openEmbedded(home: home, durable: false)
        defer { try? home.cluster.stop() }
        #expect(try database.connection.query("SELECT count(*) FROM schema_migration").scalar().int! >= 5)
        #expect(!manager.fileExists(atPath: building.path))
        let names = try manager.contentsOfDirectory(atPath: home.root.path).sorted()
        #expect(!names.contains { $0.hasPrefix("postgres.init-") })
    }

    /// Four openers of one new home at once: one cluster, one database, one migrated schema.
    @Test func concurrentFirstStartsShareOneCluster() async throws {
        let home = DataHome(root: scratch("concurrent"))
        let results = await withTaskGroup(of: Result<Int, any Error>.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    Result { try Database.openEmbedded(home: home, durable: false).connection.query("SELECT count(*) FROM schema_migration").scalar().int! }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        defer { try? home.cluster.stop() }
        let migrations = try Migrator.project().migrations.count
        for result in results { #expect(try result.get() == migrations) }
    }

    /// A server whose home was deleted under it keeps running; a new cluster at the same path has
    /// a socket of its own, which the old server's exit does not remove.
    @Test func aDeletedHomesServerCannotTouchItsSuccessor() throws {
        let home = DataHome(root: scratch("deleted"))
        _ = try Database.openEmbedded(home: home, durable: false)
        let oldSocket = home.cluster.socketDirectory
        let pidText = try String(contentsOf: home.cluster.directory.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        let orphan = try #require(pid_t(pidText.split(separator: "\n")[0]))
        defer { kill(orphan, SIGKILL) }
        try FileManager.default.removeItem(at: home.root)

        _ = try Database.openEmbedded(home: home, durable: false)
        defer { try? home.cluster.stop() }
        #expect(home.cluster.socketDirectory != oldSocket)
        kill(orphan, SIGINT)   // a fast shutdown: it removes its own socket on the way out
        var waited = 0
        while kill(orphan, 0) == 0 && waited < 100 { usleep(100_000); waited += 1 }
        rmdir(oldSocket)
        let reconnected = try PostgresConnection(home.cluster.connectionString)
        #expect(try reconnected.query("SELECT 1").scalar().int == 1)
    }

    /// A cluster made before sockets had their own directory (socket in the data directory, no
    /// record) gets one when it next starts.
    @Test func aStoppedOlderClusterGetsASocketDirectoryOfItsOwn() throws {
        let home = DataHome(root: scratch("older"))
        _ = try Database.openEmbedded(home: home, durable: false)
        try home.cluster.stop()
        let cluster = home.cluster.directory
        try FileManager.default.removeItem(at: cluster.appendingPathComponent("dtb_socket_directory"))
        let configuration = cluster.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("unix_socket_directories = '\(cluster.path)'\n".utf8))
        try handle.close()
        #expect(home.cluster.socketDirectory == cluster.path)

        let database = try Database.openEmbedded(home: home, durable: false)
        defer { try? home.cluster.stop() }
        #expect(home.cluster.socketDirectory.hasPrefix("/tmp/dtb-pg-"))
        #expect(try database.connection.query("SHOW unix_socket_directories").scalar().string == home.cluster.socketDirectory)
    }

    /// A full disk during cluster creation: the error names the cause, and no half cluster stays.
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullDiskDuringCreationNamesTheCause() throws {
        let mountPoint = scratch("full")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = try ChildProcess.run(executable: URL(fileURLWithPath: "/bin/mount"),
                                         arguments: ["-t", "tmpfs", "-o", "size=12m", "tmpfs", mountPoint.path])
        try #require(mount.status == 0, "mount failed: \(mount.stderr)")
        defer { _ = try? ChildProcess.run(executable: URL(fileURLWithPath: "/bin/umount"), arguments: [mountPoint.path]) }
        let home = DataHome(root: mountPoint.appendingPathComponent("home"))
        let error = #expect(throws: StoreError.self) { try Database.openEmbedded(home: home, durable: false) }
        #expect(error?.description.hasPrefix("cannot create the PostgreSQL cluster in \(home.cluster.directory.path): ") == true)
        #expect(error?.description.contains("No space left on device") == true)
        let names = try FileManager.default.contentsOfDirectory(atPath: home.root.path)
        #expect(!names.contains { $0.hasPrefix("postgres") && $0 != "postgres.lock" })
    }
}
