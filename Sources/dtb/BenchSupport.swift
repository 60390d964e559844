import ArgumentParser
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
    init(name: String, directory: String? = nil) throws {
        work = URL(fileURLWithPath: directory ?? NSTemporaryDirectory() + "dtb-bench-\(name)-\(getpid())", isDirectory: true)
        keep = directory != nil
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        home = DataHome(root: work.appendingPathComponent("home", isDirectory: true))
        Console.progress("starting a scratch PostgreSQL cluster in \(home.root.path)")
        database = try Database.openEmbedded(home: home, durable: false)
    }

    func close() {
        try? EmbeddedCluster(home: home.root, durable: false).stop()
        if !keep { try? FileManager.default.removeItem(at: work) }
    }

    /// Runs this `dtb` executable with `arguments` against the scratch store and times it.
    /// Returns its standard output, wall seconds and peak RSS (MB).
    func timedChild(_ arguments: [String]) throws -> (output: Data, wall: Double, peakMB: Double) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.isExecutableFile(atPath: child.executableURL!.path) { child.executableURL = Bundle.main.executableURL }
        child.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DTB_DATABASE_URL"] = EmbeddedCluster(home: home.root).connectionString
        environment["DTB_HOME"] = home.root.path
        child.environment = environment
        let pipe = Pipe()
        child.standardOutput = pipe
        let start = Date()
        try child.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let wall = Date().timeIntervalSince(start)
        guard child.terminationStatus == 0 else {
            throw ValidationError("the timed `dtb \(arguments.prefix(2).joined(separator: " "))` failed (status \(child.terminationStatus))")
        }
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return (output, wall, Double(usage.ru_maxrss) / 1024)
    }
}
