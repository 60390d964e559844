import ArgumentParser
import Benchmarks
import AtlasCatalog
import Foundation
import Imaging
import Ingest
import NIfTI
import Store

/// `dtb bench ingest`: a 4-D BOLD on the 2 mm MNI grid parcellated onto both built-in atlases and stored.
///
/// Self-contained: a scratch PostgreSQL cluster and data home in a temporary folder, the built-in
/// atlases imported there (untimed), a deterministic BOLD written volume by volume (untimed), then
/// `dtb ingest` run as a child process on a one-file BIDS dataset (timed: checksum, parcellation
/// onto both atlases, HDF5 and rows, one transaction). Peak RSS is the child's. With `--peer
/// ../shared/peers/run.sh`, nilearn's NiftiLabelsMasker is timed on the same file, once per atlas.
///
/// JSON (`--json`): `{"tool": "dtb ingest", "shape": [91, 109, 91, 300], "compressed": Bool,
/// "fileMB": Double, "voxelMB": Double, "atlases": [String], "regions": [Int], "wallS": Double,
/// "mbPerS": Double (voxel data MB / wall s), "peakRssMB": Double, "bold": String, "atlasFiles":
/// [String], "peers": [{nilearn's JSON line}], "machine": {...}}`.
struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Time the ingest of a 4-D BOLD (91×109×91×N, float32) onto both built-in atlases.")

    @Option(help: "Volumes in the BOLD run.") var volumes: Int = 300
    @Option(help: "Seed of the synthetic BOLD.") var seed: UInt64 = 20240
    @Flag(help: "Write the BOLD as .nii (default: .nii.gz, compressed with gzip -1 like nibabel).") var uncompressed = false
    @Option(help: "Atlas mirror (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data).") var atlasMirror: String?
    @Option(help: "Run this peers script (../shared/peers/run.sh) for nilearn on the same file and atlases.") var peer: String?
    @Option(help: "Work folder (kept); default a temporary folder removed afterwards.") var directory: String?
    @Flag(help: "Print one JSON document.") var json = false

    struct Report: Codable {
        var tool = "dtb ingest"
        var shape: [Int]
        var compressed: Bool
        var fileMB: Double
        var voxelMB: Double
        var atlases: [String]
        var regions: [Int]
        var wallS: Double
        var mbPerS: Double
        var peakRssMB: Double
        var bold: String
        var atlasFiles: [String]
        var peers: [[String: AnyCodableValue]]
        var machine: Machine
    }

    func run() throws {
        try Console.run {
            let store = try ScratchStore(name: "ingest", directory: directory)
            defer { store.close() }
            let database = store.database, work = store.work
            let mirror = atlasMirror.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? AtlasFileSource.defaultMirror()
            let importer = AtlasImporter(database: database, mirror: mirror)
            let catalog = AtlasCatalog(database: database)
            var atlases: [AtlasRecord] = []
            var atlasFiles: [String] = []
            var union: [Bool] = []
            for name in ["brainnetome246", "cortsub374"] {
                Console.progress("importing atlas \(name) (untimed)")
                _ = try importer.importBuiltin(name)
                let atlas = try catalog.atlas(named: name)
                let volume = try catalog.labelVolume(of: atlas)
                let file = work.appendingPathComponent("\(name)_2mm.nii.gz")
                let header = NIfTIHeader(dimensions: volume.grid.dimensions, datatype: .int32, affine: volume.grid.affine)
                try NIfTIImage(header: header, int32: volume.labels).write(to: file.path)
                if union.isEmpty { union = [Bool](repeating: false, count: volume.labels.count) }
                for (v, label) in volume.labels.enumerated() where label != 0 { union[v] = true }
                atlases.append(atlas)
                atlasFiles.append(file.path)
            }
            let grid = atlases[0].primaryGrid.grid

            // A one-file BIDS derivative dataset.
            let root = work.appendingPathComponent("bids", isDirectory: true)
            let derivative = root.appendingPathComponent("derivatives/bench", isDirectory: true)
            let func_ = derivative.appendingPathComponent("sub-bench/func", isDirectory: true)
            try FileManager.default.createDirectory(at: func_, withIntermediateDirectories: true)
            try Data(#"{"Name": "dtb ingest benchmark", "BIDSVersion": "1.9.0"}"#.utf8).write(to: root.appendingPathComponent("dataset_description.json"))
            try Data(#"{"Name": "bench", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "dtb-bench", "Version": "1"}]}"#.utf8)
                .write(to: derivative.appendingPathComponent("dataset_description.json"))
            try Data(#"{"TaskName": "rest", "RepetitionTime": 2.0}"#.utf8).write(to: derivative.appendingPathComponent("task-rest_bold.json"))
            let stem = "sub-bench_task-rest_space-\(atlases[0].templateSpace)_desc-preproc_bold"
            let raw = func_.appendingPathComponent(stem + ".nii")
            Console.progress("writing a \(grid.dimensions.map(String.init).joined(separator: "×"))×\(volumes) float32 BOLD (seed \(seed), untimed)")
            try writeBOLD(to: raw, grid: grid, mask: union)
            var bold = raw
            if !uncompressed {
                bold = func_.appendingPathComponent(stem + ".nii.gz")
                try gzip(raw, to: bold)
                try FileManager.default.removeItem(at: raw)
            }
            let fileBytes = (try FileManager.default.attributesOfItem(atPath: bold.path)[.size] as? NSNumber)?.doubleValue ?? 0
            let voxelBytes = Double(grid.voxelCount * volumes * 4)

            Console.progress("timing: dtb ingest (child process)")
            let (_, wall, peak) = try store.timedChild(["ingest", root.path, "--json"])

            var peers: [[String: AnyCodableValue]] = []
            if let peer {
                for file in atlasFiles {
                    Console.progress("timing: \(peer) nilearn \(bold.lastPathComponent) \(URL(fileURLWithPath: file).lastPathComponent)")
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/bash")
                    process.arguments = [peer, "nilearn", bold.path, file]
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    try process.run()
                    let output = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
                    if let object = try? JSONDecoder().decode([String: AnyCodableValue].self, from: Data(line.utf8)) { peers.append(object) }
                }
            }
            let report = Report(shape: grid.dimensions + [volumes], compressed: !uncompressed, fileMB: fileBytes / 1e6,
                                voxelMB: voxelBytes / 1e6, atlases: atlases.map(\.name), regions: atlases.map(\.regionCount),
                                wallS: wall, mbPerS: voxelBytes / 1e6 / wall, peakRssMB: peak, bold: bold.path,
                                atlasFiles: atlasFiles, peers: peers, machine: Machine.current())
            if json { return try Console.printJSON(report) }
            print(String(format: "dtb ingest: %@ %@ (%.0f MB on disk, %.0f MB of voxels) onto %@",
                         report.shape.map(String.init).joined(separator: "×"), report.compressed ? ".nii.gz" : ".nii",
                         report.fileMB, report.voxelMB, report.atlases.joined(separator: " + ")))
            print(String(format: "  %.2f s, %.0f MB/s, peak RSS %.0f MB  (%@, %d cores)", wall, report.mbPerS, peak,
                         report.machine.cpu, report.machine.cores))
            for p in peers {
                print("  nilearn \(p["version"]?.text ?? "?"): \(p["regions"]?.text ?? "?") regions, \(p["wall_s"]?.text ?? "?") s, \(p["mb_per_s"]?.text ?? "?") MB/s, peak RSS \(p["peak_rss_mb"]?.text ?? "?") MB")
            }
            if peer == nil { print("  compare: ../shared/peers/run.sh nilearn BOLD ATLAS (use --peer ../shared/peers/run.sh, with --directory to keep the files)") }
        }
    }

    /// Streams a deterministic BOLD: inside the atlases' union, 1000 + a slow sinusoid with a
    /// voxel-specific phase + uniform noise; zero outside (as after brain masking).
    private func writeBOLD(to url: URL, grid: VoxelGrid, mask: [Bool]) throws {
        let n = grid.voxelCount
        // The header: written by the NIfTI module for one volume, then set to `volumes` volumes.
        let probe = url.deletingLastPathComponent().appendingPathComponent("probe.nii")
        var header = NIfTIHeader(dimensions: grid.dimensions + [1], datatype: .float32, affine: grid.affine)
        header.pixdim[3] = 2
        try NIfTIImage(header: header, float32: [Float](repeating: 0, count: n)).write(to: probe.path)
        var bytes = [UInt8](try Data(contentsOf: probe).prefix(352))
        try FileManager.default.removeItem(at: probe)
        withUnsafeBytes(of: Int16(volumes).littleEndian) { bytes.replaceSubrange(48..<50, with: $0) }
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let phase = (0..<n).map { Float($0 % 97) * 0.065 }
        var volume = [Float](repeating: 0, count: n)
        for t in 0..<volumes {
            let angle = Float(t) * 2 * .pi / 25
            for v in 0..<n where mask[v] {
                let noise = Float(next() >> 40) / Float(1 << 24) - 0.5
                volume[v] = 1000 + 20 * sin(angle + phase[v]) + 10 * noise
            }
            try handle.write(contentsOf: volume.withUnsafeBytes { Data($0) })
        }
    }

    private func gzip(_ source: URL, to destination: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/usr/bin/gzip") ? "/usr/bin/gzip" : "/bin/gzip")
        process.arguments = ["-1", "-c", source.path]
        _ = FileManager.default.createFile(atPath: destination.path, contents: nil)
        let output = try FileHandle(forWritingTo: destination)
        defer { try? output.close() }
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("gzip failed on \(source.path)") }
    }
}

/// A JSON scalar from a peer's output line, kept as text.
struct AnyCodableValue: Codable {
    let text: String
    let json: String

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
            json = text
        } else if let value = try? container.decode(String.self) {
            text = value
            json = value
        } else if let value = try? container.decode([Int].self) {
            text = value.map(String.init).joined(separator: "×")
            json = text
        } else {
            text = "?"
            json = "?"
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let number = Double(text) { try container.encode(number) } else { try container.encode(text) }
    }
}
