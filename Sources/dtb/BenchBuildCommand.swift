import ArgumentParser
import Benchmarks
import Foundation

/// `dtb bench build`: time and memory of `dtb twin build` for the sample subject on Brainnetome-246
/// (see ``BuildBenchmark``: a scratch cluster, `dtb twin build` as a timed child).
///
/// JSON (`--json`): `{"tool": "dtb twin build", "neurons", "degree", "units", "synapses", "wall_s",
/// "synapses_per_s", "peak_rss_mb", "bytes_per_synapse_rss", "file_mb": {"nodes", "edges", ...},
/// "machine": {"cpu", "cores", "load_average"}}`.
struct BuildBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Time a twin build (default 1M neurons, K = 100) of the sample subject on Brainnetome-246.")

    @Option(help: "Neurons N.") var neurons: Int = 1_000_000
    @Option(help: "Mean in-degree K.") var degree: Double = 100
    @Option(help: "Seed of the build.") var seed: UInt64 = 1
    @Option(help: "Atlas mirror (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data).") var atlasMirror: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try Console.run {
            var options = BuildBenchmarkOptions()
            options.neurons = neurons
            options.degree = degree
            options.seed = seed
            options.atlasMirror = atlasMirror.map { URL(fileURLWithPath: $0, isDirectory: true) }
            let report = try BuildBenchmark(options: options, executable: BenchText.executable, environment: Console.environment)
                .run(progress: Console.progressHandler)
            if json { return try Console.printJSON(report) }
            for line in BenchText.build(report) { Console.print(line) }
        }
    }
}
