import ArgumentParser
import Benchmarks
import AtlasCatalog
import Foundation
import Ingest
import Store

/// `dtb bench build`: time and memory of `dtb twin build` for the sample subject on Brainnetome-246.
///
/// Self-contained: a scratch PostgreSQL cluster and data home in a temporary folder, the atlas
/// imported and the sample subject written and ingested there (untimed), then `dtb twin build`
/// run as a child process (timed: reading the records, drawing every synapse, writing and
/// checksumming the SONATA files, the version's transaction). Peak RSS is the child's.
///
/// JSON (`--json`): `{"tool": "dtb twin build", "neurons", "degree", "units", "synapses", "wallS",
/// "synapsesPerS", "peakRssMB", "bytesPerSynapseRSS", "fileMB": {"nodes", "edges", ...}, "machine": {...}}`.
struct BuildBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Time a twin build (default 1M neurons, K = 100) of the sample subject on Brainnetome-246.")

    @Option(help: "Neurons N.") var neurons: Int = 1_000_000
    @Option(help: "Mean in-degree K.") var degree: Double = 100
    @Option(help: "Seed of the build.") var seed: UInt64 = 1
    @Option(help: "Atlas mirror (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data).") var atlasMirror: String?
    @Flag(help: "Print one JSON document.") var json = false

    struct Report: Codable {
        var tool = "dtb twin build"
        var neurons: Int
        var degree: Double
        var units: Int
        var synapses: Int
        var wallS: Double
        var synapsesPerS: Double
        var peakRssMB: Double
        var bytesPerSynapseRSS: Double
        var fileMB: [String: Double]
        var machine: Machine
    }

    struct Outcome: Decodable {
        struct File: Decodable { var role: String; var sizeBytes: Int }
        var synapses: Int
        var files: [File]
    }

    func run() throws {
        try Console.run {
            let store = try ScratchStore(name: "build")
            defer { store.close() }
            let database = store.database
            let mirror = atlasMirror.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? AtlasFileSource.defaultMirror()
            Console.progress("importing brainnetome246 and ingesting the sample subject (untimed)")
            _ = try AtlasImporter(database: database, mirror: mirror).importBuiltin("brainnetome246")
            let catalog = AtlasCatalog(database: database)
            let atlas = try catalog.atlas(named: "brainnetome246")
            let root = store.work.appendingPathComponent("bids", isDirectory: true)
            try SampleSubject().write(to: root, atlas: atlas, regions: catalog.regions(of: atlas), volume: catalog.labelVolume(of: atlas))
            _ = try SubjectIngester(database: database).ingest(root: root)

            Console.progress("timing: dtb twin build sample --neurons \(neurons) --degree \(degree) (child process)")
            let (output, wall, peak) = try store.timedChild(["twin", "build", "sample", "--atlas", "brainnetome246",
                                                             "--neurons", String(neurons), "--degree", String(degree),
                                                             "--seed", String(seed), "--json"])
            let outcome = try JSONDecoder().decode(Outcome.self, from: output)
            let report = Report(neurons: neurons, degree: degree, units: 246, synapses: outcome.synapses, wallS: wall,
                                synapsesPerS: Double(outcome.synapses) / wall, peakRssMB: peak,
                                bytesPerSynapseRSS: peak * 1_048_576 / Double(max(1, outcome.synapses)),
                                fileMB: Dictionary(uniqueKeysWithValues: outcome.files.map { ($0.role, Double($0.sizeBytes) / 1e6) }),
                                machine: Machine.current())
            if json { return try Console.printJSON(report) }
            print(String(format: "dtb twin build: N = %d, K = %.0f, %d units: %d synapses in %.2f s (%.1f M synapses/s), peak RSS %.0f MB (%.1f B/synapse)",
                         neurons, degree, report.units, report.synapses, wall, report.synapsesPerS / 1e6, peak, report.bytesPerSynapseRSS))
            print("  files: " + report.fileMB.sorted { $0.key < $1.key }.map { "\($0.key) " + String(format: "%.1f MB", $0.value) }.joined(separator: ", "))
            print("  machine: \(report.machine.cpu), \(report.machine.cores) cores")
        }
    }
}
