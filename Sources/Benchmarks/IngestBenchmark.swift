import AtlasCatalog
import Foundation
import Imaging
import NIfTI
import SampleSubjects
import Services
import Store

/// `dtb bench ingest`'s options.
public struct IngestBenchmarkOptions: Sendable {
    /// Volumes of the BOLD run.
    public var volumes = 300
    public var seed: UInt64 = 20240
    /// `.nii.gz` (gzip -1, like nibabel) rather than `.nii`.
    public var compressed = true
    /// Atlas mirror; nil: the environment's default.
    public var atlasMirror: URL?
    /// The peers script (`../shared/peers/run.sh`) to time nilearn on the same file and atlases.
    public var peer: String?
    /// A work folder to keep; nil: a temporary one.
    public var directory: String?

    public init() {}
}

/// The figures of one ingest benchmark (`dtb bench ingest --json`).
public struct IngestBenchmarkReport: Sendable, Encodable {
    public var tool = "dtb ingest"
    /// x, y, z, volumes.
    public var shape: [Int]
    public var compressed: Bool
    public var fileMB: Double
    /// Voxel data (float32) in MB.
    public var voxelMB: Double
    public var atlases: [String]
    public var regions: [Int]
    public var wallS: Double
    /// Voxel MB per wall second.
    public var mbPerS: Double
    /// The timed child's.
    public var peakRssMB: Double
    /// The BOLD file's path.
    public var bold: String
    /// The atlases' label volumes as NIfTI, for the peers.
    public var atlasFiles: [String]
    /// nilearn's JSON line per atlas.
    public var peers: [[String: PeerValue]]
    public var machine: Machine
}

/// A 4-D BOLD on the 2 mm MNI grid parcellated onto both built-in atlases and stored, timed.
///
/// Self-contained: a scratch PostgreSQL cluster and data home in a work folder, the built-in
/// atlases imported there (untimed), a deterministic BOLD written volume by volume (untimed),
/// then `dtb ingest` run as a child process on a one-file BIDS dataset (timed: checksum,
/// parcellation onto both atlases, HDF5 and rows, one transaction). Peak RSS is the child's.
/// With a peer script, nilearn's NiftiLabelsMasker is timed on the same file, once per atlas.
public struct IngestBenchmark {
    public let options: IngestBenchmarkOptions
    /// The `dtb` executable to time.
    public let executable: URL
    public let environment: ServiceEnvironment

    public init(options: IngestBenchmarkOptions, executable: URL, environment: ServiceEnvironment) {
        self.options = options; self.executable = executable; self.environment = environment
    }

    /// Checks the options, then sets up, times and reports.
    public func run(progress: @escaping @Sendable (String) -> Void) throws -> IngestBenchmarkReport {
        guard SyntheticBOLD.volumeRange.contains(options.volumes) else {
            let range = SyntheticBOLD.volumeRange
            throw ServiceError.invalidOption("--volumes", value: "\(options.volumes)",
                                             problem: "a BOLD run has \(range.lowerBound) to \(range.upperBound) volumes")
        }
        let store = try ScratchStore(name: "ingest", directory: options.directory, progress: progress)
        defer { store.close() }
        let atlases = try importAtlases(store, progress: progress)
        let grid = atlases.records[0].primaryGrid.grid
        let root = store.work.appendingPathComponent("bids", isDirectory: true)
        let bold = try writeDataset(root, grid: grid, mask: atlases.union, space: atlases.records[0].templateSpace, progress: progress)
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: bold.path)[.size] as? NSNumber)?.doubleValue ?? 0
        let voxelBytes = Double(grid.voxelCount * options.volumes * 4)

        progress("timing: dtb ingest (child process)")
        let (_, wall, peak) = try store.timedChild(executable, ["ingest", root.path, "--json"], environment: environment.variables,
                                                   progress: progress)
        let peers = try options.peer.map { try timePeer($0, bold: bold, atlasFiles: atlases.files, progress: progress) } ?? []
        return IngestBenchmarkReport(shape: grid.dimensions + [options.volumes], compressed: options.compressed,
                                     fileMB: fileBytes / 1e6, voxelMB: voxelBytes / 1e6, atlases: atlases.records.map(\.name),
                                     regions: atlases.records.map(\.regionCount), wallS: wall, mbPerS: voxelBytes / 1e6 / wall,
                                     peakRssMB: peak, bold: bold.path, atlasFiles: atlases.files, peers: peers,
                                     machine: Machine.current())
    }

    /// The built-in atlases, imported into the scratch store, with their label volumes written as
    /// NIfTI (for the peers) and the union of their labelled voxels (the BOLD's mask).
    func importAtlases(_ store: ScratchStore, progress: (String) -> Void) throws -> (records: [AtlasRecord], files: [String], union: [Bool]) {
        let importer = AtlasImporter(database: store.database, mirror: options.atlasMirror ?? environment.defaultAtlasMirror,
                                     environment: environment.variables)
        let catalog = AtlasCatalog(database: store.database)
        var records: [AtlasRecord] = [], files: [String] = [], union: [Bool] = []
        for name in ["brainnetome246", "cortsub374"] {
            progress("importing atlas \(name) (untimed)")
            _ = try importer.importBuiltin(name)
            let atlas = try catalog.atlas(named: name)
            let volume = try catalog.labelVolume(of: atlas)
            let file = store.work.appendingPathComponent("\(name)_2mm.nii.gz")
            let header = NIfTIHeader(dimensions: volume.grid.dimensions, datatype: .int32, affine: volume.grid.affine)
            try NIfTIImage(header: header, int32: volume.labels).write(to: file.path)
            if union.isEmpty { union = [Bool](repeating: false, count: volume.labels.count) }
            for (v, label) in volume.labels.enumerated() where label != 0 { union[v] = true }
            records.append(atlas)
            files.append(file.path)
        }
        return (records, files, union)
    }

    /// A one-file BIDS derivative dataset holding the synthetic BOLD; the BOLD's path.
    func writeDataset(_ root: URL, grid: VoxelGrid, mask: [Bool], space: String, progress: (String) -> Void) throws -> URL {
        let derivative = root.appendingPathComponent("derivatives/bench", isDirectory: true)
        let func_ = derivative.appendingPathComponent("sub-bench/func", isDirectory: true)
        try FileManager.default.createDirectory(at: func_, withIntermediateDirectories: true)
        try Data(#"{"Name": "dtb ingest benchmark", "BIDSVersion": "1.9.0"}"#.utf8).write(to: root.appendingPathComponent("dataset_description.json"))
        try Data(#"{"Name": "bench", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "dtb-bench", "Version": "1"}]}"#.utf8)
            .write(to: derivative.appendingPathComponent("dataset_description.json"))
        try Data(#"{"TaskName": "rest", "RepetitionTime": 2.0}"#.utf8).write(to: derivative.appendingPathComponent("task-rest_bold.json"))
        let stem = "sub-bench_task-rest_space-\(space)_desc-preproc_bold"
        let raw = func_.appendingPathComponent(stem + ".nii")
        progress("writing a \(grid.dimensions.map(String.init).joined(separator: "×"))×\(options.volumes) float32 BOLD (seed \(options.seed), untimed)")
        try SyntheticBOLD(volumes: options.volumes, seed: options.seed).write(to: raw, grid: grid, mask: mask)
        guard options.compressed else { return raw }
        let compressed = func_.appendingPathComponent(stem + ".nii.gz")
        try gzip(raw, to: compressed)
        try FileManager.default.removeItem(at: raw)
        return compressed
    }

    /// `gzip -1`, as nibabel writes `.nii.gz`.
    func gzip(_ source: URL, to destination: URL) throws {
        let program = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/usr/bin/gzip") ? "/usr/bin/gzip" : "/bin/gzip")
        let result = try ChildProcess(program, ["-1", "-c", source.path], outputFile: destination).run()
        guard result.status == 0, !result.signalled else { throw BenchmarkError("gzip failed on \(source.path): \(result.lastErrorLine)") }
    }

    /// nilearn on the same BOLD, once per atlas: the JSON object its last output line holds.
    func timePeer(_ peer: String, bold: URL, atlasFiles: [String],
                  progress: @escaping @Sendable (String) -> Void) throws -> [[String: PeerValue]] {
        try atlasFiles.compactMap { file in
            progress("timing: \(peer) nilearn \(bold.lastPathComponent) \(URL(fileURLWithPath: file).lastPathComponent)")
            let result = try ChildProcess(URL(fileURLWithPath: "/bin/bash"), [peer, "nilearn", bold.path, file], errorLines: progress).run()
            let line = String(decoding: result.output, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            return try? JSONDecoder().decode([String: PeerValue].self, from: Data(line.utf8))
        }
    }
}
