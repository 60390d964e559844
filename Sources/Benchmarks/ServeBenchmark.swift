import Foundation
import Services
import Store
import WebService

/// `dtb bench serve`: the API under load from concurrent loopback clients, on the history and
/// run-slice endpoints of the database the environment names. Not a test: it prints figures.
///
/// The server runs in this process (`--open` on loopback, so no token row is written); each
/// client is a thread with one keep-alive connection that GETs its paths in turn until the time
/// is up. The database's contents (row counts and newest ids of the tables the API reads and
/// writes) are compared before and after: reads must change nothing.
public struct ServeBenchmark {
    /// What to run.
    public struct Options: Sendable {
        /// Concurrent clients, each a thread with one connection.
        public var clients = 200
        /// Seconds of load.
        public var seconds = 30.0
        /// Database connections of the server.
        public var connections = 8
        /// Versions the read twin is grown to before the load (`--versions`); nil: as it is.
        public var versions: Int?
        /// Serve from the response cache, as `dtb serve` does (`--no-cache`: every request reads the database).
        public var cache = true
        public init() {}

        /// Refuses values the benchmark cannot run with, naming the option.
        public func check() throws {
            guard (1...2_000).contains(clients) else { throw ServiceError.invalidOption("--clients", value: "\(clients)", problem: "give 1…2000 clients") }
            guard seconds.isFinite, seconds >= 1, seconds <= 3_600 else {
                throw ServiceError.invalidOption("--seconds", value: "\(seconds)", problem: "give 1…3600 seconds")
            }
            guard (1...64).contains(connections) else {
                throw ServiceError.invalidOption("--connections", value: "\(connections)", problem: "give 1…64 connections")
            }
            if let versions, !(1...1_000_000).contains(versions) {
                throw ServiceError.invalidOption("--versions", value: "\(versions)", problem: "give 1…1000000 versions")
            }
        }
    }

    /// The figures: `{"clients", "seconds", "connections", "cache", "cache_hits", "cache_misses", "paths",
    /// "requests", "errors", "requests_per_second", "p50_ms", "p99_ms", "max_ms", "versions",
    /// "added_versions", "unchanged"}`.
    public struct Report: Sendable, Codable, Equatable {
        public var clients: Int
        public var seconds: Double
        public var connections: Int
        /// Whether the response cache was on.
        public var cache: Bool
        /// Requests the cache answered, and those that read the database.
        public var cacheHits: Int
        public var cacheMisses: Int
        public var paths: [String]
        public var requests: Int
        public var errors: Int
        public var requestsPerSecond: Double
        public var p50Ms: Double
        public var p99Ms: Double
        public var maxMs: Double
        /// Versions of the twin whose history is read.
        public var versions: Int
        /// Versions `--versions` added before the load.
        public var addedVersions: Int
        public var unchanged: Bool
    }

    public let environment: ServiceEnvironment
    public let options: Options
    public init(environment: ServiceEnvironment, options: Options) { self.environment = environment; self.options = options }

    /// Runs the load and returns its figures; a one-line error when the database has no twin or no run.
    public func run(progress: @escaping @Sendable (String) -> Void) throws -> Report {
        try options.check()
        let database = try environment.openDatabase(progress: progress)
        let added = try options.versions.map { try VersionSeeder(database: database).grow(to: $0, progress: progress) } ?? 0
        let (paths, versions) = try Self.paths(database)
        let before = try Self.fingerprint(database)
        let port = try LoopbackHTTPClient.freePort()
        let environment = self.environment
        let pool = try DatabasePool(size: options.connections) { try environment.openDatabase(progress: { _ in }) }
        let service = WebService(pool: pool, configuration: WebServiceConfiguration(port: port, open: true, dataDirectory: database.home.root,
                                                                                                   cache: options.cache))
        // The server lives until the process ends: cancelling it while clients' connections
        // close crashes in swift-async-algorithms (seen with 200 clients), and a benchmark exits next.
        Task { try await service.run() }
        try Self.waitUntilListening(port: port)
        if options.cache { try Self.waitUntilCaching(service.cache) }
        progress("\(options.clients) clients for \(options.seconds) s on \(paths.joined(separator: ", "))")
        let latencies = try load(paths: paths, port: port)
        let after = try Self.fingerprint(database)
        let sorted = latencies.times.sorted()
        let quantile = { (q: Double) in sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))] * 1_000 }
        let cached = service.cache.statistics
        return Report(clients: options.clients, seconds: options.seconds, connections: options.connections, cache: options.cache,
                      cacheHits: cached.hits, cacheMisses: cached.misses, paths: paths, requests: sorted.count,
                      errors: latencies.errors, requestsPerSecond: Double(sorted.count) / options.seconds, p50Ms: quantile(0.5),
                      p99Ms: quantile(0.99), maxMs: (sorted.last ?? 0) * 1_000, versions: versions, addedVersions: added,
                      unchanged: before == after)
    }

    /// The twin with the most versions: its history's first page; the newest run: two units over its first half.
    static func paths(_ database: Database) throws -> ([String], versions: Int) {
        guard let twin = try TwinService(database: database).list(subject: nil).max(by: { $0.versions < $1.versions }) else {
            throw BenchmarkError("the database has no twin to read (run `dtb demo` first)")
        }
        guard let run = try database.connection.query("SELECT id, seconds FROM twin_run ORDER BY id DESC LIMIT 1").first,
              let id = run[0].int, let seconds = run[1].double else {
            throw BenchmarkError("the database has no twin run to slice (run `dtb twin run TWIN --seconds 10` first)")
        }
        let units = try RunSliceReader(database: database).slice(RunSliceRequest(run: id, to: 0)).units.prefix(2)
        return (["/api/v1/twins/\(twin.twin)/versions?limit=50",
                 "/api/v1/runs/\(id)?units=\(units.joined(separator: ","))&from=0&to=\(seconds / 2)"], twin.versions)
    }

    /// Row counts and newest ids of what the API reads or could write.
    static func fingerprint(_ database: Database) throws -> [String] {
        try ["twin_version", "twin_run", "validation", "job", "api_token", "measure", "data_file"].map { table in
            let row = try database.connection.query("SELECT count(*), coalesce(max(id), 0) FROM \(table)")[0]
            return "\(table) \(row[0].int ?? -1) \(row[1].int ?? -1)"
        }
    }

    private static func waitUntilListening(port: Int) throws {
        for _ in 0..<100 {
            if (try? LoopbackHTTPClient(port: port)) != nil { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BenchmarkError("the server did not start listening on 127.0.0.1:\(port)")
    }

    /// The change watcher listens (the cache is enabled) before the clients start.
    private static func waitUntilCaching(_ cache: ResponseCache) throws {
        for _ in 0..<100 where !cache.isEnabled { Thread.sleep(forTimeInterval: 0.05) }
        guard cache.isEnabled else { throw BenchmarkError("the server's change watcher did not start listening") }
    }

    /// Every client's request times (s) and errors (a non-200 answer or a broken connection).
    private func load(paths: [String], port: Int) throws -> (times: [Double], errors: Int) {
        let results = Results()
        let deadline = Date().addingTimeInterval(options.seconds)
        let finished = DispatchGroup()
        // A thread per client: concurrentPerform would run only as many at once as there are cores.
        for client in 0..<options.clients {
            finished.enter()
            Thread {
                let (times, errors) = Self.client(client, paths: paths, port: port, until: deadline)
                results.add(times, errors)
                finished.leave()
            }.start()
        }
        finished.wait()
        return results.total
    }

    /// One client: GETs the paths in turn (starting at its own) until `deadline`, reconnecting after an error.
    private static func client(_ index: Int, paths: [String], port: Int, until deadline: Date) -> (times: [Double], errors: Int) {
        var times: [Double] = [], errors = 0, next = index
        var connection = try? LoopbackHTTPClient(port: port)
        while Date() < deadline {
            let start = Date()
            do {
                guard let open = connection else { throw BenchmarkError("no connection") }
                let answer = try open.get(paths[next % paths.count])
                if answer.status == 200 { times.append(Date().timeIntervalSince(start)) } else { errors += 1 }
            } catch {
                errors += 1
                connection = try? LoopbackHTTPClient(port: port)
            }
            next += 1
        }
        return (times, errors)
    }
}

/// The clients' figures, gathered from their threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [Double] = [], errors = 0

    func add(_ more: [Double], _ failed: Int) { lock.withLock { times += more; errors += failed } }
    var total: (times: [Double], errors: Int) { lock.withLock { (times, errors) } }
}
