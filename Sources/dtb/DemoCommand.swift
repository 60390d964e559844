import ArgumentParser
import AtlasCatalog
import Foundation
import Ingest
import Store
import TwinBuilder
import Twins

/// `dtb demo`: the main job on the embedded default — start the database, import both built-in
/// atlases, write and ingest the sample subject, build its twin on Brainnetome-246 and run it.
///
/// JSON (`--json`): `{"atlases": [AtlasSummary as in dtb atlas show], "ingest": {IngestReport as in
/// dtb ingest}, "build": {as dtb twin build}, "run": {as dtb twin run}}`.
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
    @Option(help: "Seconds of the sample twin's simulation.") var seconds: Double = 10
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var atlases: [AtlasSummary]
        var ingest: IngestReport
        var build: TwinBuildOutcome
        var run: TwinRunInfo
    }

    func run() throws {
        try Console.run {
            let database = try Console.openDatabase()
            let importer = AtlasImporter(database: database, mirror: mirror.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? AtlasFileSource.defaultMirror())
            let catalog = AtlasCatalog(database: database)
            var summaries: [AtlasSummary] = []
            for name in ["brainnetome246", "cortsub374"] {
                Console.progress("importing atlas \(name)…")
                let outcome = try importer.importBuiltin(name)
                Console.progress("\(name): \(outcome.action.rawValue)")
                summaries.append(try catalog.summary(of: catalog.atlas(named: name)))
                if !output.json { print(AtlasText.summary(summaries.last!)); print() }
            }
            let root = database.home.root.appendingPathComponent("sample-bids", isDirectory: true)
            let atlas = try catalog.atlas(named: "brainnetome246")
            if !FileManager.default.fileExists(atPath: root.appendingPathComponent("participants.tsv").path) {
                Console.progress("writing the sample subject to \(root.path)")
                try SampleSubject().write(to: root, atlas: atlas, regions: catalog.regions(of: atlas), volume: catalog.labelVolume(of: atlas))
            }
            let report = try SubjectIngester(database: database).ingest(root: root, options: IngestOptions(atlases: ["brainnetome246"]))
            for s in report.sessions where !output.json {
                print("sub-\(s.subject): \(s.action.rawValue), \(s.measuresAdded) measures added (\(s.modalities.joined(separator: ", ")))")
            }
            let parameters = BuildParameters(neurons: neurons, meanInDegree: degree, seed: 1)
            let build = try TwinRegistry(database: database)
                .build(TwinBuildRequest(subject: "sample", atlas: "brainnetome246", parameters: parameters), progress: Console.progress)
            if !output.json { print("\(build.twin)@\(build.version) \(build.action.rawValue): \(build.neurons) neurons, \(build.synapses) synapses, network \(build.networkDigest.prefix(12))…") }
            let run = try TwinRunner(database: database)
                .run(TwinRunRequest(version: TwinReference(twin: build.twin, version: build.version), seconds: seconds), progress: Console.progress)
            if output.json { return try Console.printJSON(Report(atlases: summaries, ingest: report, build: build, run: run)) }
            print(String(format: "run %d: %.1f s simulated, %d spikes, %.2f Hz, %d BOLD samples at TR %.2f s, %.1f s wall",
                         run.run, run.seconds, run.spikes, run.meanRateHz, Int(run.seconds / run.repetitionTime), run.repetitionTime,
                         run.wallSeconds))
        }
    }
}
