import AtlasCatalog
import DTBTestSupport
import Foundation
import Imaging
import Ingest
import NIfTI
import Store
import Testing

/// The toy atlas: a 6×5×4 grid at 2 mm in MNI152NLin6Asym with three regions.
enum Toy {
    static let dims = [6, 5, 4]
    static let affine: [[Double]] = [[2, 0, 0, -10], [0, 2, 0, -20], [0, 0, 2, -8], [0, 0, 0, 1]]
    static let space = "MNI152NLin6Asym"
    static let names = ["frontal_L", "frontal_R", "thalamus_L"]
    static var voxelCount: Int { dims.reduce(1, *) }

    /// Region label of voxel (i, j, k): 1 for x < 2, 2 for x in 2..<4, 3 for x ≥ 4 and y < 3, else 0.
    static func label(_ i: Int, _ j: Int, _ k: Int) -> Int32 {
        if i < 2 { return 1 }
        if i < 4 { return 2 }
        return j < 3 ? 3 : 0
    }

    static func labels() -> [Int32] {
        var out: [Int32] = []
        for k in 0..<dims[2] { for j in 0..<dims[1] { for i in 0..<dims[0] { out.append(label(i, j, k)) } } }
        return out
    }

    /// A deterministic map with values exact in Float (quarters).
    static func gm(_ i: Int, _ j: Int, _ k: Int) -> Float { Float((i + 2 * j + 3 * k) % 5) * 0.25 }
    static func pet(_ i: Int, _ j: Int, _ k: Int) -> Float { 1 + Float((i * j + k) % 3) * 0.5 }
    static func bold(_ i: Int, _ j: Int, _ k: Int, _ t: Int) -> Float { Float(100 + i + 2 * j + 4 * k + 8 * t) }

    static func map(_ f: (Int, Int, Int) -> Float) -> [Float] {
        var out: [Float] = []
        for k in 0..<dims[2] { for j in 0..<dims[1] { for i in 0..<dims[0] { out.append(f(i, j, k)) } } }
        return out
    }

    /// Plain loop: per-label sums and counts of a map.
    static func reference(_ values: [Float]) -> (sums: [Double], counts: [Int]) {
        var sums = [Double](repeating: 0, count: 3), counts = [Int](repeating: 0, count: 3)
        let labels = labels()
        for (index, label) in labels.enumerated() where label > 0 {
            sums[Int(label) - 1] += Double(values[index]); counts[Int(label) - 1] += 1
        }
        return (sums, counts)
    }
}

func scratch() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func writeText(_ text: String, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

func writeImage(_ values: [Float], dims: [Int], affine: [[Double]] = Toy.affine, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    var header = NIfTIHeader(dimensions: dims, datatype: .float32, affine: affine)
    if dims.count == 4 { header.pixdim = header.pixdim.prefix(3) + [2] }
    try NIfTIImage(header: header, float32: values).write(to: url.path)
}

/// A toy database and, in a scratch folder the caller removes, a BIDS tree with one session of
/// subject 01 (not yet ingested).
func toySession() async throws -> (Database, URL, BIDSBuilder) {
    let database = try await toyDatabase()
    let root = try scratch()
    let bids = try BIDSBuilder(root: root)
    try bids.addSession("01")
    return (database, root, bids)
}

/// A database with the toy atlas imported (prepared once per test process, a copy per call).
func toyDatabase() async throws -> Database {
    try await TestDatabase.make(preparedWith: "toy atlas") { database in
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let volume = dir.appendingPathComponent("toy.nii.gz"), table = dir.appendingPathComponent("toy.tsv")
        let header = NIfTIHeader(dimensions: Toy.dims, datatype: .int32, affine: Toy.affine)
        try NIfTIImage(header: header, int32: Toy.labels()).write(to: volume.path)
        try writeText("index\tname\themisphere\n1\tfrontal_L\tL\n2\tfrontal_R\tR\n3\tthalamus_L\tL\n", to: table)
        _ = try AtlasImporter(database: database, mirror: nil)
            .importAtlas(name: "toy", labelVolume: volume, labelTable: table, templateSpace: Toy.space, title: "Toy")
    }.database
}

/// Writes a small BIDS dataset with all four modalities.
struct BIDSBuilder {
    let root: URL
    var frames = 5

    init(root: URL, name: String = "toy study", participants: [(String, String)] = [("01", "34"), ("02", "51")]) throws {
        self.root = root
        try writeText(#"{"Name": "\#(name)", "BIDSVersion": "1.9.0"}"#, to: root.appendingPathComponent("dataset_description.json"))
        try writeText("participant_id\tage\n" + participants.map { "sub-\($0.0)\t\($0.1)\n" }.joined(), to: root.appendingPathComponent("participants.tsv"))
        try writeText(#"{"TaskName": "rest", "RepetitionTime": 2.0}"#, to: root.appendingPathComponent("task-rest_bold.json"))
        for (pipeline, version) in [("fmriprep", "23.2.0"), ("petprep", "0.1"), ("qsirecon", "1.0")] {
            try writeText(#"{"Name": "\#(pipeline) outputs", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "\#(pipeline)", "Version": "\#(version)"}]}"#,
                          to: root.appendingPathComponent("derivatives/\(pipeline)/dataset_description.json"))
        }
    }

    func prefix(_ subject: String, _ session: String) -> (folder: String, stem: String) {
        let folder = "sub-\(subject)" + (session.isEmpty ? "" : "/ses-\(session)")
        let stem = "sub-\(subject)" + (session.isEmpty ? "" : "_ses-\(session)")
        return (folder, stem)
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// All modalities for one subject-session; `scale` changes the derivative values.
    func addSession(_ subject: String, _ session: String = "", scale: Float = 1) throws {
        let (folder, stem) = prefix(subject, session)
        let n = Toy.voxelCount
        // Raw scans.
        try writeImage(Toy.map { i, j, k in Float(i + j + k) }, dims: Toy.dims, to: url("\(folder)/anat/\(stem)_T1w.nii.gz"))
        try writeImage((0..<(n * 3)).map { Float($0 % 7) }, dims: Toy.dims + [3], to: url("\(folder)/dwi/\(stem)_dwi.nii.gz"))
        try writeText("0 1000 2000\n", to: url("\(folder)/dwi/\(stem)_dwi.bval"))
        try writeText("1 0 0\n0 1 0\n0 0 1\n", to: url("\(folder)/dwi/\(stem)_dwi.bvec"))
        try writeImage((0..<(n * 2)).map { Float($0 % 5) }, dims: Toy.dims + [2], to: url("\(folder)/pet/\(stem)_trc-UCBJ_pet.nii.gz"))
        try writeText(Self.petSidecar, to: url("\(folder)/pet/\(stem)_trc-UCBJ_pet.json"))
        try writeImage((0..<(n * frames)).map { Float($0 % 11) }, dims: Toy.dims + [frames], to: url("\(folder)/func/\(stem)_task-rest_bold.nii.gz"))
        try writeText("onset\tduration\ttrial_type\n0\t2\tblink\n4.5\t1\tblink\n", to: url("\(folder)/func/\(stem)_task-rest_events.tsv"))
        try writeText("not used", to: url("\(folder)/func/\(stem)_task-rest_physio.tsv.gz"))   // a BIDS file dtb ignores
        // Derivatives on the atlas grid.
        let space = "space-\(Toy.space)"
        // Gray matter is a probability, so a scale above 1 divides it instead (it stays in [0, 1]).
        try writeImage(Toy.map { Toy.gm($0, $1, $2) * (scale > 1 ? 1 / scale : scale) }, dims: Toy.dims, to: url("derivatives/fmriprep/\(folder)/anat/\(stem)_\(space)_label-GM_probseg.nii.gz"))
        var bold: [Float] = []
        for t in 0..<frames { bold += Toy.map { Toy.bold($0, $1, $2, t) * scale } }
        try writeImage(bold, dims: Toy.dims + [frames], to: url("derivatives/fmriprep/\(folder)/func/\(stem)_task-rest_\(space)_desc-preproc_bold.nii.gz"))
        try writeImage(Toy.map { Toy.pet($0, $1, $2) * scale }, dims: Toy.dims, to: url("derivatives/petprep/\(folder)/pet/\(stem)_trc-UCBJ_\(space)_desc-suvr_pet.nii.gz"))
        try writeText(#"{"Units": "SUVR"}"#, to: url("derivatives/petprep/\(folder)/pet/\(stem)_trc-UCBJ_\(space)_desc-suvr_pet.json"))
        try writeText("frontal_L\tfrontal_R\tthalamus_L\n0\t\(3 * scale)\t1\n3\t0\t0.5\n1\t0.5\t0\n",
                      to: url("derivatives/qsirecon/\(folder)/dwi/\(stem)_atlas-toy_desc-density_connectome.tsv"))
    }

    static let petSidecar = #"""
    {"TracerName": "UCB-J", "TracerRadionuclide": "C11", "InjectedRadioactivity": 400, "InjectedRadioactivityUnits": "MBq",
     "InjectedMass": 1.5, "InjectedMassUnits": "ug", "SpecificRadioactivity": 100, "SpecificRadioactivityUnits": "MBq/ug",
     "ModeOfAdministration": "bolus", "TimeZero": "10:00:00", "ScanStart": 0, "InjectionStart": 0,
     "FrameTimesStart": [0, 60], "FrameDuration": [60, 60], "Units": "Bq/mL"}
    """#
}

/// Files under the data home's files/ (staging excluded).
func storedFiles(_ database: Database) -> [String] {
    let root = database.home.files
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return walker.compactMap { $0 as? String }.filter { !$0.hasPrefix(".staging") && $0.hasSuffix(".h5") }.sorted()
}
