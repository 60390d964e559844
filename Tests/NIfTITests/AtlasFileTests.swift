import DTBTestSupport
import NIfTI
import Testing

/// The real atlas files in `../shared/atlas-data` as known answers.
@Suite("NIfTI reads the shared atlas files", .requires(.atlasMirror))
struct AtlasFileTests {
    private var root: String { Prerequisites.atlasMirror?.path ?? "" }

    @Test func brainnetome2mm() throws {
        let image = try NIfTIImage.read(path: root + "/brainnetome/BN_Atlas_246_2mm.nii.gz")
        let header = image.header
        #expect(header.version == 1)
        #expect(header.dimensions == [91, 109, 91])
        #expect(header.datatype == .uint8)
        #expect(header.qformCode == 2 && header.sformCode == 2)
        #expect(header.spatialUnits == "mm")
        #expect(isClose(header.affine, [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]]))

        let labels = try image.integerLabels()
        #expect(labels.count == 91 * 109 * 91)
        #expect(Set(labels) == Set(0...246))
    }

    @Test func glasser1mm() throws {
        let path = root + "/hcp-mmp1-374/atlas-Glasser_space-MNI152NLin6Asym_res-01_dseg.nii.gz"
        let header = try NIfTIImage.readHeader(path: path)
        #expect(header.dimensions == [182, 218, 182])
        #expect(header.datatype == .float32)
        #expect(isClose(header.affine, [[1, 0, 0, -91], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1]]))

        let image = try NIfTIImage.read(path: path)
        #expect(image.nonFiniteCount() == 0)
        let labels = try image.integerLabels()
        #expect(labels.min() == 0 && labels.max() == 360)
    }

    @Test func streamingTheAtlasMatchesAFullRead() throws {
        let path = root + "/brainnetome/BN_Atlas_246_2mm.nii.gz"
        var reader = try NIfTIVolumeReader(path: path)
        var volume: [Float] = []
        #expect(try reader.nextVolume(into: &volume))
        #expect(volume == (try NIfTIImage.read(path: path).floatValues()))
    }
}
