import ArgumentParser
import Benchmarks
import MPIKit

/// `dtb bench mpi`: one network on 1 rank × 1 thread, 1 rank × 2 threads and 2 ranks × 1 thread
/// (``MPIBenchmark``), each a child process (mpirun for two ranks). JSON: an ``MPIBenchmarkReport``.
struct MPIBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi",
        abstract: "Time one network over MPI ranks against threads of one process.",
        discussion: """
            coba: the shared benchmark network, dt 0.1 ms (default N = 100000); dtb: the DTB
            operating point, dt 1 ms (default N = 1000000). Figures per configuration: wall time,
            real-time factor, bytes received per exchange window and time in the exchange per
            rank, peak memory, synapse and state memory per rank. Progress goes to stderr.
            """)

    @Option(help: "coba or dtb.") var workload: EngineBenchmark.Workload = .coba
    @Option(help: "Neurons (default coba 100000, dtb 1000000).") var neurons: Int?
    @Option(help: "Timed biological time (s).") var seconds: Double = 1
    @Option(help: "Untimed warm-up (ms).") var warmup: Double = 100
    @Option(help: "Seed of every random draw.") var seed: UInt64 = 12345
    @Option(parsing: .upToNextOption, help: "Configurations as RANKSxTHREADS.") var configurations: [String] = ["1x1", "1x2", "2x1"]
    @Option(help: ArgumentHelp("Threads per rank of one measured configuration (with --child).", visibility: .hidden))
    var threads: Int = 1
    @Flag(help: ArgumentHelp("Measure one configuration in this process (what each child runs).", visibility: .hidden))
    var child = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var bench = MPIBenchmark()
            bench.workload = workload; bench.neurons = neurons; bench.seconds = seconds; bench.warmup = warmup; bench.seed = seed
            bench.configurations = try configurations.map(Self.configuration)
            if child {
                guard let row = try bench.measure(world: try MPIWorld.start(), threads: threads, progress: Console.progress) else { return }
                return try Console.printJSON(row)
            }
            let report = try bench.run(executable: BenchText.executable, progress: Console.progressHandler)
            if output.json { return try Console.printJSON(report) }
            Console.print(report.table)
        }
    }

    /// `RxT` as ranks × threads.
    static func configuration(_ text: String) throws -> MPIBenchmark.Configuration {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--configurations \(text): give RANKSxTHREADS, both at least 1 (e.g. 2x1)")
        }
        return MPIBenchmark.Configuration(ranks: parts[0], threads: parts[1])
    }
}
