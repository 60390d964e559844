import ArgumentParser
import Benchmarks
import Foundation

/// `dtb bench ingest`: a 4-D BOLD on the 2 mm MNI grid parcellated onto both built-in atlases and
/// stored, timed (see ``IngestBenchmark``: a scratch cluster, `dtb ingest` as a timed child).
///
/// JSON (`--json`): `{"tool": "dtb ingest", "shape": [91, 109, 91, 300], "compressed": Bool,
/// "file_mb": Double, "voxel_mb": Double, "atlases": [String], "regions": [Int], "wall_s": Double,
/// "mb_per_s": Double (voxel data MB / wall s), "peak_rss_mb": Double, "bold": String, "atlas_files":
/// [String], "peers": [{nilearn's JSON line}], "machine": {"cpu", "cores", "load_average"}}`.
struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Time the ingest of a 4-D BOLD (91×109×91×N, float32) onto both built-in atlases.")

    @Option(help: "Volumes in the BOLD run (2–32767).") var volumes: Int = 300
    @Option(help: "Seed of the synthetic BOLD.") var seed: UInt64 = 20240
    @Flag(help: "Write the BOLD as .nii (default: .nii.gz, compressed with gzip -1 like nibabel).") var uncompressed = false
    @Option(help: "Atlas mirror (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data).") var atlasMirror: String?
    @Option(help: "Run this peers script (../shared/peers/run.sh) for nilearn on the same file and atlases.") var peer: String?
    @Option(help: "Work folder (kept); default a temporary folder removed afterwards.") var directory: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try Console.run {
            var options = IngestBenchmarkOptions()
            options.volumes = volumes
            options.seed = seed
            options.compressed = !uncompressed
            options.atlasMirror = atlasMirror.map { URL(fileURLWithPath: $0, isDirectory: true) }
            options.peer = peer
            options.directory = directory
            let report = try IngestBenchmark(options: options, executable: BenchText.executable, environment: Console.environment)
                .run(progress: Console.progressHandler)
            if json { return try Console.printJSON(report) }
            for line in BenchText.ingest(report, peer: peer) { Console.print(line) }
        }
    }
}
