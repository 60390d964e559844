import AtlasCatalog
import Foundation
import Imaging
import NIfTI
import Primitives

/// Writes a synthetic subject in BIDS layout on an atlas's primary grid, with every derivative a
/// twin build reads: a gray-matter probability map (fMRIPrep), an SV2A SUVR map (UCB-J PET), and
/// DWI tract-density and tract-length connectomes (QSIRecon). For the demo and the tests: the
/// per-region truths are returned so a caller can check what ingest and the builder make of them.
///
/// The numbers are plausible, not measured: gray-matter density 0.35–0.85 per region, SUVR
/// 1.0–1.6 per region (±2 % voxel noise on both), tract density falling off with centroid
/// distance (e^{-d/40 mm}, log-normal jitter, the weakest 60 % of pairs absent), and tract length
/// 1.25 × the centroid distance.
public struct SampleSubject: Sendable {
    public var label: String
    public var seed: UInt64
    /// Multiplies the SUVR map, to make a later session with different PET.
    public var suvrScale: Double

    public init(label: String = "sample", seed: UInt64 = 1, suvrScale: Double = 1) {
        self.label = label; self.seed = seed; self.suvrScale = suvrScale
    }

    /// What was written, per region (atlas label order).
    public struct Truth: Sendable {
        public var labels: [Int]
        public var grayMatterDensity: [Double]
        public var suvr: [Double]
        /// `[source][target]`, symmetric.
        public var tractDensity: [[Double]]
        public var tractLength: [[Double]]
    }

    /// Writes the dataset into `root` (created; an existing dataset there gains the subject or session).
    @discardableResult
    public func write(to root: URL, atlas: AtlasRecord, regions: [RegionRecord], volume: LabelVolume,
                      session: String = "") throws -> Truth {
        var random = SplitMix64(state: seed)
        let labels = regions.map(\.label)
        let density = labels.map { _ in 0.35 + 0.5 * random.unit() }
        let suvr = labels.map { _ in (1.0 + 0.6 * random.unit()) * suvrScale }
        let (tracts, lengths) = connectomes(regions.map(\.centroid), &random)
        let position = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var gm = [Float](repeating: 0, count: volume.labels.count), pet = gm
        for (voxel, label) in volume.labels.enumerated() where label != 0 {
            guard let r = position[Int(label)] else { continue }
            gm[voxel] = Float(density[r] * (0.98 + 0.04 * random.unit()))
            pet[voxel] = Float(suvr[r] * (0.98 + 0.04 * random.unit()))
        }
        try writeDataset(root: root, atlas: atlas.name, regions: regions.map(\.name), gm: gm, pet: pet,
                         tracts: tracts, lengths: lengths, grid: volume.grid, session: session)
        return Truth(labels: labels, grayMatterDensity: density, suvr: suvr, tractDensity: tracts, tractLength: lengths)
    }

    func connectomes(_ centroids: [[Double]], _ random: inout SplitMix64) -> ([[Double]], [[Double]]) {
        let n = centroids.count
        var d = [[Double]](repeating: [Double](repeating: 0, count: n), count: n), l = d
        var weights: [Double] = []
        for i in 0..<n {
            for j in (i + 1)..<n {
                let distance = sqrt(zip(centroids[i], centroids[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) })
                let w = exp(-distance / 40) * exp(0.5 * (random.unit() - 0.5))
                d[i][j] = w; d[j][i] = w
                l[i][j] = 1.25 * distance; l[j][i] = l[i][j]
                weights.append(w)
            }
        }
        let cut = weights.sorted()[Int(Double(weights.count) * 0.6)]
        for i in 0..<n { for j in 0..<n where d[i][j] < cut { d[i][j] = 0; l[i][j] = 0 } }
        return (d, l)
    }

    func writeDataset(root: URL, atlas: String, regions: [String], gm: [Float], pet: [Float], tracts: [[Double]],
                      lengths: [[Double]], grid: VoxelGrid, session: String) throws {
        let folder = "sub-\(label)" + (session.isEmpty ? "" : "/ses-\(session)")
        let stem = "sub-\(label)" + (session.isEmpty ? "" : "_ses-\(session)")
        let space = "space-MNI152NLin6Asym"
        try text(#"{"Name": "dtb sample subjects", "BIDSVersion": "1.9.0"}"#, root, "dataset_description.json")
        let participants = root.appendingPathComponent("participants.tsv")
        var rows = (try? String(contentsOf: participants, encoding: .utf8)) ?? "participant_id\tage\tsex\n"
        if !rows.contains("sub-\(label)\t") { rows += "sub-\(label)\t35\tF\n" }
        try text(rows, root, "participants.tsv")
        for (pipeline, version) in [("fmriprep", "23.2.0"), ("petprep", "0.1.0"), ("qsirecon", "1.0.0")] {
            try text(#"{"Name": "\#(pipeline) outputs", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "\#(pipeline)", "Version": "\#(version)"}]}"#,
                     root, "derivatives/\(pipeline)/dataset_description.json")
        }
        try image(gm, grid, root, "derivatives/fmriprep/\(folder)/anat/\(stem)_\(space)_label-GM_probseg.nii.gz")
        let petStem = "derivatives/petprep/\(folder)/pet/\(stem)_trc-UCBJ_\(space)_desc-suvr_pet"
        try image(pet, grid, root, petStem + ".nii.gz")
        try text(#"{"Units": "SUVR", "TracerName": "UCB-J"}"#, root, petStem + ".json")
        let dwi = "derivatives/qsirecon/\(folder)/dwi/\(stem)_atlas-\(atlas)_desc-"
        try text(table(regions, tracts), root, dwi + "density_connectome.tsv")
        try text(table(regions, lengths), root, dwi + "length_connectome.tsv")
    }

    func table(_ names: [String], _ m: [[Double]]) -> String {
        names.joined(separator: "\t") + "\n" + m.map { $0.map { String(format: "%.6g", $0) }.joined(separator: "\t") + "\n" }.joined()
    }

    func text(_ content: String, _ root: URL, _ relative: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }

    func image(_ values: [Float], _ grid: VoxelGrid, _ root: URL, _ relative: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try NIfTIImage(header: NIfTIHeader(dimensions: grid.dimensions, datatype: .float32, affine: grid.affine), float32: values)
            .write(to: url.path)
    }
}
