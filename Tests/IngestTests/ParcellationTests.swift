import Foundation
import Imaging
import Ingest
import Store
import Testing

@Suite struct ParcellationTests {
    let grid = VoxelGrid(dimensions: Toy.dims, affine: Toy.affine)

    @Test func regionStatisticsMatchAPlainLoop() {
        let volume = LabelVolume(grid: grid, labels: Toy.labels())
        let parcellation = Parcellation(volume, labels: [1, 2, 3, 9])
        let values = Toy.map(Toy.gm)
        let stats = parcellation.regionStatistics(of: values)
        let reference = Toy.reference(values)
        #expect(Array(stats.sums.prefix(3)) == reference.sums)
        #expect(Array(stats.finiteCounts.prefix(3)) == reference.counts)
        #expect(stats.voxelCounts[3] == 0 && stats.means[3].isNaN)   // a wanted label with no voxel
        #expect(parcellation.gather(values).count == reference.counts.reduce(0, +))
    }

    @Test func nonFiniteVoxelsAreCountedAndLeftOut() {
        var values = Toy.map(Toy.gm)
        values[0] = .nan          // voxel (0,0,0): label 1
        values[5] = .infinity     // voxel (5,0,0): label 3
        let stats = Parcellation(LabelVolume(grid: grid, labels: Toy.labels())).regionStatistics(of: values)
        #expect(stats.nonFiniteVoxels == 2)
        var clean = values
        clean[0] = 0; clean[5] = 0
        let reference = Toy.reference(clean)
        #expect(stats.sums == reference.sums)
        #expect(stats.finiteCounts == [reference.counts[0] - 1, reference.counts[1], reference.counts[2] - 1])
    }

    @Test func seriesParcellatorMatchesAPlainLoop() {
        let volume = LabelVolume(grid: grid, labels: Toy.labels())
        let reversed = Parcellation(volume, labels: [3, 2, 1])
        var parcellator = SeriesParcellator(parcellations: [Parcellation(volume), reversed])
        for t in 0..<4 { parcellator.add(volume: Toy.map { Toy.bold($0, $1, $2, t) }) }
        #expect(parcellator.frames == 4)
        for t in 0..<4 {
            let reference = Toy.reference(Toy.map { Toy.bold($0, $1, $2, t) })
            let means = (0..<3).map { Float(reference.sums[$0] / Double(reference.counts[$0])) }
            #expect(Array(parcellator.series[0][(3 * t)..<(3 * t + 3)]) == means)
            #expect(Array(parcellator.series[1][(3 * t)..<(3 * t + 3)]) == means.reversed())
        }
        #expect(parcellator.nonFiniteVoxels == [0, 0])
    }
}
