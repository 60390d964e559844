import Imaging
import Testing

@Suite struct VoxelGridTests {
    let fsl2mm = VoxelGrid(dimensions: [91, 109, 91], affine: [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]])

    @Test func worldCoordinatesAndVolume() {
        #expect(fsl2mm.voxelVolume == 8)
        #expect(fsl2mm.resolution == 2)
        let origin = fsl2mm.world(45, 63, 36)   // MNI (0, 0, 0) on the FSL 2 mm grid
        #expect(origin.x == 0 && origin.y == 0 && origin.z == 0)
        let p = fsl2mm.world(index: 1 + 91 * (2 + 109 * 3))
        #expect(p.x == 88 && p.y == -122 && p.z == -66)
    }

    @Test func inverseAffineUndoesTheAffine() throws {
        let oblique = VoxelGrid(dimensions: [4, 4, 4], affine: [[1.5, 0.2, 0, -10], [0.1, 2, 0.3, 5], [0, -0.4, 3, 7], [0, 0, 0, 1]])
        let inverse = try #require(oblique.inverseAffine)
        let p = oblique.world(2, 3, 1)
        let back = (0..<3).map { inverse[$0][0] * p.x + inverse[$0][1] * p.y + inverse[$0][2] * p.z + inverse[$0][3] }
        #expect(abs(back[0] - 2) < 1e-12 && abs(back[1] - 3) < 1e-12 && abs(back[2] - 1) < 1e-12)
        #expect(VoxelGrid(dimensions: [1, 1, 1], affine: [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]).inverseAffine == nil)
    }

    @Test func gridMatching() {
        var shifted = fsl2mm.affine
        shifted[0][3] += 0.5
        #expect(fsl2mm.matches(fsl2mm))
        #expect(!fsl2mm.matches(VoxelGrid(dimensions: [91, 109, 91], affine: shifted)))
        #expect(!fsl2mm.matches(VoxelGrid(dimensions: [91, 109, 90], affine: fsl2mm.affine)))
    }
}

@Suite struct LabelVolumeTests {
    /// An 8×8×8 volume at 1 mm (RAS) whose label is 1 + (i / 4) + 2·(j / 4) + 4·(k / 4): eight 4³ cubes.
    let fine: LabelVolume = {
        let grid = VoxelGrid(dimensions: [8, 8, 8], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        var labels = [Int32](repeating: 0, count: 512)
        for k in 0..<8 { for j in 0..<8 { for i in 0..<8 { labels[i + 8 * (j + 8 * k)] = Int32(1 + i / 4 + 2 * (j / 4) + 4 * (k / 4)) } } }
        return LabelVolume(grid: grid, labels: labels)
    }()

    /// Onto a 2 mm grid flipped in x (LAS, like FSL's): each coarse voxel centre sits on a fine voxel centre.
    @Test func nearestNeighbourResamplingThroughAffines() {
        let coarse = VoxelGrid(dimensions: [4, 4, 4], affine: [[-2, 0, 0, 6], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]])
        let resampled = fine.resampled(onto: coarse)
        for k in 0..<4 { for j in 0..<4 { for i in 0..<4 {
            let x = 6 - 2 * i, y = 2 * j, z = 2 * k      // world = fine index
            #expect(resampled.labels[i + 4 * (j + 4 * k)] == Int32(1 + x / 4 + 2 * (y / 4) + 4 * (z / 4)))
        } } }
    }

    @Test func outsideTheSourceIsBackground() {
        let shifted = VoxelGrid(dimensions: [4, 1, 1], affine: [[2, 0, 0, 4], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        #expect(fine.resampled(onto: shifted).labels == [2, 2, 0, 0])   // x = 4, 6 inside; 8, 10 outside
    }

    @Test func regionIndexCountsVoxelsAndCentroids() {
        let index = fine.regionIndex()
        #expect(index.regions.map(\.label) == Array(1...8))
        #expect(index.regions.allSatisfy { $0.count == 64 })
        #expect(index.voxels.count == 512)
        let first = index.entry(for: 1)!
        #expect(first.centroid == [1.5, 1.5, 1.5])
        #expect(index.entry(for: 8)!.centroid == [5.5, 5.5, 5.5])
        let voxels = index.voxels[first.offset..<first.offset + first.count]
        #expect(voxels.allSatisfy { fine.labels[Int($0)] == 1 })
        #expect(Array(voxels) == voxels.sorted())
        #expect(fine.presentLabels == Array(1...8))
    }
}
