import ArgumentParser
import Benchmarks
import Foundation

/// `dtb bench study`: the wall time of a lesion study on the sample twin against the plain runs it
/// consists of (see ``StudyBenchmark``).
///
/// JSON (`--json`): `{"tool": "dtb study create", "neurons", "synapses", "runs", "seconds_per_run", "study_wall_s",
/// "plain_runs_wall_s", "ratio", "machine": {"cpu", "cores", "load_average"}}`.
struct StudyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study", abstract: "Time a 5-seed lesion study of the sample twin against its plain runs.",
        discussion: """
            On a scratch cluster: the sample subject's twin, then 2 × seeds plain `dtb twin run` \
            children as long as the study's runs (warm-up included), then the study as one child. \
            The ratio is the study's wall time over the plain runs' (target: at most 1.2).
            """)
    @Option(help: "Neurons of the twin.") var neurons = 10_000
    @Option(help: "Mean in-degree K.") var degree = 25.0
    @Option(help: "Seeds per arm.") var seeds = 5
    @Option(help: "Recorded seconds per run.") var seconds = 10.0
    @Option(help: "Warm-up seconds per run.") var warmup = 2.0
    @Option(help: "The intervention timed.") var intervention = StudyBenchmarkOptions().intervention
    @Option(help: "Atlas mirror (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data).") var atlasMirror: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try Console.run {
            var options = StudyBenchmarkOptions()
            options.neurons = neurons; options.degree = degree; options.seeds = seeds
            options.seconds = seconds; options.warmup = warmup; options.intervention = intervention
            options.atlasMirror = atlasMirror.map { URL(fileURLWithPath: $0, isDirectory: true) }
            let report = try StudyBenchmark(options: options, executable: BenchText.executable, environment: Console.environment)
                .run(progress: Console.progressHandler)
            if json { return try Console.printJSON(report) }
            Console.print(String(format: "dtb study create: %d runs of %.0f s, N = %d (%d synapses)", report.runs, report.secondsPerRun,
                                 report.neurons, report.synapses))
            Console.print(String(format: "  study %.2f s, plain runs %.2f s: ratio %.3f (target ≤ 1.2)", report.studyWallS,
                                 report.plainRunsWallS, report.ratio))
            Console.print("  machine: \(report.machine.cpu), \(report.machine.cores) cores")
        }
    }
}
