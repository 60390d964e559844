import ArgumentParser
import Foundation
import Services
import SpikingEngine

/// `dtb demo`: the main job on the embedded default — start the database, import both built-in
/// atlases, ingest the sample subject, build its twin, validate, assimilate, validate; a second
/// session arrives: validate against it, re-assimilate, validate; print the twin's history.
///
/// JSON (`--json`): `{"atlases": [AtlasSummary as in dtb atlas show], "ingest": [{as dtb ingest}, ...],
/// "build": {as dtb twin build}, "worker": [{as dtb worker --once}], "history": {as dtb twin history}}`.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job end to end on the embedded default.",
        discussion: """
            The sample subject's BOLD is made by its own built twin with known, time-varying external \
            currents (a ground truth written beside the runs), so the fit's recovery can be checked. \
            Every step is idempotent: a second run finds the data and the versions unchanged and adds \
            only validation rows.
            """)
    @Option(help: "Atlas mirror directory (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data beside the checkout, else download).")
    var mirror: String?
    @Option(help: "Neurons of the sample twin.") var neurons: Int = 10_000
    @Option(help: "Mean in-degree of the sample twin (at 10k neurons, K = 100 leaves local pools too small and the twin runs away).") var degree: Double = 25
    @Option(help: "Members of each assimilation's ensemble (2–1024).") var members: Int = 12
    @Option(help: "Threads (the results do not depend on it).") var threads: Int = defaultThreadCount
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var options = DemoOptions()
            options.mirror = mirror.map { URL(fileURLWithPath: $0, isDirectory: true) }
            options.neurons = neurons
            options.degree = degree
            options.members = members
            options.threads = threads
            let report = try DemoWorkflow(environment: Console.environment).run(options, events: show)
            if output.json { return try Console.printJSON(report) }
            Console.print()
            for line in TwinText.history(report.history) { Console.print(line) }
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
        case .worked(let report) where !output.json:
            for job in report.jobs { Console.print("job \(job.id) \(job.kind.rawValue): \(job.outcome.rawValue)") }
        default:
            break
        }
    }
}
