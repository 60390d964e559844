import Foundation
import Store

/// A benchmark's own PostgreSQL cluster and data home in a work folder, so that timings never
/// touch the user's database.
struct ScratchStore {
    let work: URL
    let home: DataHome
    let database: Database
    private let keep: Bool

    /// - Parameter directory: a work folder to keep; nil: a temporary one removed by ``close()``.
    init(name: String, directory: String? = nil, progress: (String) -> Void) throws {
        work = URL(fileURLWithPath: directory ?? NSTemporaryDirectory() + "dtb-bench-\(name)-\(getpid())", isDirectory: true)
        keep = directory != nil
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        home = DataHome(root: work.appendingPathComponent("home", isDirectory: true))
        progress("starting a scratch PostgreSQL cluster in \(home.root.path)")
        database = try Database.openEmbedded(home: home, durable: false)
    }

    /// Stops the cluster and removes the work folder unless it is to be kept.
    func close() {
        try? EmbeddedCluster(home: home.root, durable: false).stop()
        if !keep { try? FileManager.default.removeItem(at: work) }
    }

    /// Runs the `dtb` at `executable` with `arguments` against the scratch store and times it.
    /// Returns its standard output, wall seconds and peak RSS (MB); the child's progress lines go
    /// to `progress` as it writes them.
    func timedChild(_ executable: URL, _ arguments: [String], environment: [String: String],
                    progress: @escaping @Sendable (String) -> Void) throws -> (output: Data, wall: Double, peakMB: Double) {
        var environment = environment
        environment["DTB_DATABASE_URL"] = EmbeddedCluster(home: home.root).connectionString
        environment["DTB_HOME"] = home.root.path
        let result = try ChildProcess(executable, arguments, environment: environment, errorLines: progress).run()
        guard result.status == 0, !result.signalled else {
            throw BenchmarkError("the timed `dtb \(arguments.prefix(2).joined(separator: " "))` failed (status \(result.status)): \(result.lastErrorLine)")
        }
        guard let peak = result.peakResidentMegabytes else {
            throw BenchmarkError("the timed `dtb \(arguments.prefix(2).joined(separator: " "))` ended before its memory could be read")
        }
        return (result.output, result.wallSeconds, peak)
    }
}
