import ArgumentParser
import Foundation
import Services

/// `dtb demo`: the main job on the embedded default — start the database, import both built-in
/// atlases, write and ingest the sample subject, build its twin on Brainnetome-246 and run it.
///
/// JSON (`--json`): `{"atlases": [AtlasSummary as in dtb atlas show], "ingest": {as dtb ingest},
/// "build": {as dtb twin build}, "run": {as dtb twin run}}`.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job end to end on the embedded default.",
        discussion: """
            Every step is idempotent: a second run finds the atlases, the subject and the twin version \
            unchanged and adds one more simulation run.
            """)
    @Option(help: "Atlas mirror directory (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data beside the checkout, else download).")
    var mirror: String?
    @Option(help: "Neurons of the sample twin.") var neurons: Int = 100_000
    @Option(help: "Mean in-degree of the sample twin.") var degree: Double = 100
    @Option(help: "Seconds of the sample twin's simulation (at least one TR, 2 s).") var seconds: Double = 10
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var options = DemoOptions()
            options.mirror = mirror.map { URL(fileURLWithPath: $0, isDirectory: true) }
            options.neurons = neurons
            options.degree = degree
            options.seconds = seconds
            let report = try DemoWorkflow(environment: Console.environment).run(options, events: show)
            if output.json { return try Console.printJSON(report) }
            let run = report.run
            Console.print(String(format: "run %d: %.1f s simulated, %d spikes, %.2f Hz, %d BOLD samples at TR %.2f s, %.1f s wall",
                                 run.run, run.seconds, run.spikes, run.meanRateHz, Int(run.seconds / run.repetitionTime),
                                 run.repetitionTime, run.wallSeconds))
        }
    }

    /// Progress on standard error; in text mode each step's result on standard output as it comes.
    func show(_ event: DemoEvent) {
        switch event {
        case .progress(let line):
            Console.progress(line)
        case .atlas(let summary) where !output.json:
            Console.print(AtlasText.summary(summary))
            Console.print()
        case .ingested(let report) where !output.json:
            for s in report.sessions {
                Console.print("sub-\(s.subject): \(s.action.rawValue), \(s.measuresAdded) measures added (\(s.modalities.joined(separator: ", ")))")
            }
        case .built(let build) where !output.json:
            Console.print("\(build.twin)@\(build.version) \(build.action.rawValue): \(build.neurons) neurons, \(build.synapses) synapses, network \(build.networkDigest.prefix(12))…")
        default:
            break
        }
    }
}
