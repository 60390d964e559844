import AtlasCatalog
import DTBTestSupport
import Foundation
import HDF5Kit
import Imaging
import Ingest
import NIfTI
import Primitives
import Store
import Testing

/// Real-size maps on the 2 mm MNI grid, parcellated onto both built-in atlases and checked against
/// a plain loop over the atlas label volume.
@Suite struct RealAtlasTests {
    @Test(.requires(.atlasMirror))
    func grayMatterAndBOLDOnBothBuiltinAtlases() async throws {
        let database = try await PreparedDatabases.atlases("brainnetome246", "cortsub374")
        let catalog = AtlasCatalog(database: database)
        let atlases = try catalog.atlases()
        #expect(atlases.map(\.name) == ["brainnetome246", "cortsub374"])
        let grid = atlases[0].primaryGrid.grid
        #expect(grid.dimensions == [91, 109, 91])

        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try BIDSBuilder(root: root, participants: [("mni", "30")])
        var random = SplitMix64(state: 2024)  // the same images every run
        let gm = (0..<grid.voxelCount).map { _ in Float(random.unit()) }
        let frames = 6
        let bold = (0..<(grid.voxelCount * frames)).map { _ in Float(500 + 100 * random.unit()) }
        try writeImage(gm, dims: grid.dimensions, affine: grid.affine,
                       to: root.appendingPathComponent("derivatives/fmriprep/sub-mni/anat/sub-mni_space-MNI152NLin6Asym_label-GM_probseg.nii.gz"))
        try writeImage(bold, dims: grid.dimensions + [frames], affine: grid.affine,
                       to: root.appendingPathComponent("derivatives/fmriprep/sub-mni/func/sub-mni_task-rest_space-MNI152NLin6Asym_desc-preproc_bold.nii.gz"))
        try writeText(#"{"TaskName": "rest", "RepetitionTime": 0.8}"#,
                      to: root.appendingPathComponent("derivatives/fmriprep/sub-mni/func/sub-mni_task-rest_space-MNI152NLin6Asym_desc-preproc_bold.json"))
        let report = try SubjectIngester(database: database).ingest(root: root, options: IngestOptions(voxelSeriesAtlas: "brainnetome246"))
        #expect(report.sessions.first?.measuresAdded == 4)

        let detail = try SubjectCatalog(database: database).subject("mni", values: true)
        for atlas in atlases {
            let labels = try catalog.labelVolume(of: atlas).labels
            let regions = try catalog.regions(of: atlas)
            // Independent computation: one plain pass over the voxels.
            var sums = [Int: Double](), counts = [Int: Int]()
            for (v, label) in labels.enumerated() where label != 0 {
                sums[Int(label), default: 0] += Double(gm[v]) * 8
                counts[Int(label), default: 0] += 1
            }
            let measure = try #require(detail.measures.first { $0.atlas == atlas.name && $0.kind == .grayMatterVolume })
            #expect(measure.values?.count == regions.count)
            for value in measure.values ?? [] {
                #expect(value.voxels == counts[value.label])
                #expect(abs(value.value - sums[value.label]!) <= 1e-9 * sums[value.label]!)
            }
            let series = try #require(detail.measures.first { $0.atlas == atlas.name && $0.kind == .boldTimeseries })
            let file = try HDF5File.open(path: database.files.url(of: series.file!).path)
            let stored = try file.dataset("/\(atlas.name)/series").read(Float.self)
            if atlas.name == "brainnetome246" {
                // Voxel-level series: row t holds the BOLD values at the atlas's labelled voxels.
                let index = try file.dataset("/brainnetome246/voxel_index").read(Int32.self)
                let voxelSeries = try file.dataset("/brainnetome246/voxel_series")
                #expect(voxelSeries.shape == [frames, index.count])
                #expect(index.count == labels.filter { $0 != 0 }.count)
                let last = try voxelSeries.read(Float.self, start: [frames - 1, 0], count: [1, index.count])
                #expect(last == index.map { bold[(frames - 1) * grid.voxelCount + Int($0)] })
            } else {
                #expect(!file.exists("/\(atlas.name)/voxel_series"))
            }
            file.close()
            for t in [0, frames - 1] {
                var frameSums = [Int: Double]()
                for (v, label) in labels.enumerated() where label != 0 { frameSums[Int(label), default: 0] += Double(bold[t * grid.voxelCount + v]) }
                for (r, region) in regions.enumerated() {
                    let expected = frameSums[region.label]! / Double(counts[region.label]!)
                    #expect(abs(Double(stored[t * regions.count + r]) - expected) <= 1e-4 * expected)
                }
            }
        }
    }
}
