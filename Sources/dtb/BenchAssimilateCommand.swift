import ArgumentParser
import Benchmarks
import Foundation

/// `dtb bench assimilate`: seconds per BOLD frame, member-neuron updates per second and memory
/// of `dtb twin assimilate` on the sample subject's twin (see ``AssimilationBenchmark``).
///
/// JSON (`--json`): `{"tool": "dtb twin assimilate", "rows": [{"members", "neurons", "synapses", "frames",
/// "seconds_per_frame", "member_neuron_updates_per_s", "peak_rss_mb"}], "lone_twin_rss_mb": {N: MB},
/// "memory_per_member_mb": {N: MB}, "machine": {"cpu", "cores", "load_average"}}`.
struct AssimilateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assimilate", abstract: "Time assimilation frames of the sample subject's twin (Brainnetome-246, TR 2 s).",
        discussion: """
            Each N gets its own twin (K = 25 below 100,000 neurons, else 100) and a short ground-truth \
            rest run; each M is a timed `dtb twin assimilate` child (raw observation). Seconds per \
            frame come from the frame loop alone; under 2 s per frame is real time. Memory per member \
            is the peak-RSS difference between the largest and the smallest M.
            """)
    @Option(parsing: .upToNextOption, help: "Ensemble sizes M.") var members: [Int] = [16, 32]
    @Option(parsing: .upToNextOption, help: "Neurons per member N.") var neurons: [Int] = [10_000, 100_000]
    @Option(help: "Mean in-degree K of every twin (default: 25 below 100,000 neurons, else 100).") var degree: Double?
    @Option(help: "Frames timed per fit.") var frames = 3
    @Option(help: "Warm-up before the first frame (biological seconds).") var warmup = 2.0
    @Option(help: "Atlas mirror (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data).") var atlasMirror: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try Console.run {
            var options = AssimilationBenchmarkOptions()
            options.members = members; options.neurons = neurons; options.degree = degree
            options.frames = frames; options.warmup = warmup
            options.atlasMirror = atlasMirror.map { URL(fileURLWithPath: $0, isDirectory: true) }
            let report = try AssimilationBenchmark(options: options, executable: BenchText.executable, environment: Console.environment)
                .run(progress: Console.progressHandler)
            if json { return try Console.printJSON(report) }
            for line in BenchText.assimilate(report) { Console.print(line) }
        }
    }
}
