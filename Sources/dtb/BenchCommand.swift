import ArgumentParser
import Benchmarks
import Foundation

/// `dtb bench …`: benchmarks that print their figures.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run benchmarks and print their figures.",
        subcommands: [EngineBench.self, IngestBench.self, BuildBench.self, AssimilateBench.self, StudyBench.self, MPIBench.self, ServeBench.self])
}

extension EngineBenchmark.Workload: ExpressibleByArgument {}
extension EngineBenchmark.Observers: ExpressibleByArgument {}

/// `dtb bench engine`: the spiking engine on the shared COBA network or the DTB operating point
/// (``EngineBenchmark``). JSON: an ``EngineReport``.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time the spiking engine (build, warm-up untimed, then the timed run).",
        discussion: """
            coba: the shared benchmark network (../shared/peers/NETWORK.md), dt 0.1 ms.
            dtb:  the DTB operating point: dtb-2024 membrane, four channels, laminar columns, OU
                  background, K = 100, dt 1 ms.
            Every run is built with one partition per thread; --observers none bold times the
            same network without and with BOLD recording in one run. Progress goes to stderr.
            """)

    @Option(help: "coba or dtb.") var workload: EngineBenchmark.Workload = .coba
    @Option(parsing: .upToNextOption, help: "Network sizes (default coba: 10000 100000 1000000; dtb: 3000000).")
    var neurons: [Int] = []
    @Option(parsing: .upToNextOption, help: "Thread counts to run each size with.") var threads: [Int] = [1, 2]
    @Option(parsing: .upToNextOption, help: "What to attach while timing: none, bold (each is a run).")
    var observers: [EngineBenchmark.Observers] = [.none]
    @Option(help: "Timed biological time (s).") var seconds: Double = 1
    @Option(help: "Untimed warm-up (ms).") var warmup: Double = 100
    @Option(help: "coba: Poisson drive per neuron (Hz).") var rate: Double = 2000
    @Option(help: "dtb: neurons per laminar column.") var neuronsPerUnit: Int = 30000
    @Option(help: "dtb: factor on the laminar AMPA and NMDA conductances.") var excitatoryScale: Double = 1
    @Option(help: "dtb: factor on the laminar GABAa and GABAb conductances.") var inhibitoryScale: Double = 3
    @Option(help: "Seed of every random draw.") var seed: UInt64 = 12345
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var bench = EngineBenchmark()
            bench.workload = workload; bench.neurons = neurons; bench.threads = threads; bench.observers = observers
            bench.seconds = seconds; bench.warmup = warmup; bench.rate = rate; bench.neuronsPerUnit = neuronsPerUnit
            bench.excitatoryScale = excitatoryScale; bench.inhibitoryScale = inhibitoryScale; bench.seed = seed
            let report = try bench.run(progress: Console.progress)
            if output.json { return try Console.printJSON(report) }
            Console.print(report.table)
        }
    }
}

/// `dtb bench serve [--clients 200] [--seconds 30] [--connections 8] [--versions N] [--no-cache] [--json]`: concurrent
/// loopback clients on the history and run-slice endpoints (``ServeBenchmark``). JSON: its ``ServeBenchmark/Report``.
struct ServeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load the HTTP API: requests/s, p50/p99 latency, errors; checks that no data changed.",
        discussion: "Reads the database dtb is set up for (e.g. after `dtb demo`); the server runs in process, open on loopback.")
    @Option(help: "Concurrent clients, each with one keep-alive connection (1–2000).") var clients = 200
    @Option(help: "Seconds of load (1–3600).") var seconds = 30.0
    @Option(help: "Database connections of the server (1–64).") var connections = 8
    @Option(help: "First grow the twin with the most versions to this many (rebuilds of its newest built version, inserted in bulk).")
    var versions: Int?
    @Flag(inversion: .prefixedNo, help: "Serve from the response cache (as `dtb serve` does); --no-cache reads the database for every request.")
    var cache = true
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var options = ServeBenchmark.Options()
            options.cache = cache
            options.clients = clients
            options.seconds = seconds
            options.connections = connections
            options.versions = versions
            let report = try ServeBenchmark(environment: Console.environment, options: options).run(progress: Console.progressHandler)
            if output.json { return try Console.printJSON(report) }
            Console.print("\(report.requests) requests in \(report.seconds) s from \(report.clients) clients: \(String(format: "%.0f", report.requestsPerSecond)) req/s, "
                          + "p50 \(String(format: "%.2f", report.p50Ms)) ms, p99 \(String(format: "%.2f", report.p99Ms)) ms, max \(String(format: "%.1f", report.maxMs)) ms, "
                          + "\(report.errors) errors; \(report.cache ? "cache: \(report.cacheHits) hits, \(report.cacheMisses) misses" : "no cache"); history of \(report.versions) versions (\(report.addedVersions) added); data \(report.unchanged ? "unchanged" : "CHANGED")")
        }
    }
}
