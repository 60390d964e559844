import Foundation

/// An integer label per voxel of a grid: an atlas parcellation (0 = background).
public struct LabelVolume: Sendable, Equatable {
    public let grid: VoxelGrid
    /// One label per voxel, x fastest.
    public let labels: [Int32]

    public init(grid: VoxelGrid, labels: [Int32]) {
        precondition(labels.count == grid.voxelCount, "label count must equal the grid's voxel count")
        self.grid = grid
        self.labels = labels
    }

    /// The distinct non-zero labels, ascending.
    public var presentLabels: [Int32] { Array(Set(labels).subtracting([0])).sorted() }

    /// Nearest-neighbour resampling onto `target`: each target voxel takes the label of the
    /// source voxel nearest to its centre; outside the source grid is background.
    public func resampled(onto target: VoxelGrid) -> LabelVolume {
        guard let inverse = grid.inverseAffine else { return LabelVolume(grid: target, labels: .init(repeating: 0, count: target.voxelCount)) }
        let (nx, ny, nz) = (grid.dimensions[0], grid.dimensions[1], grid.dimensions[2])
        let (tx, ty, tz) = (target.dimensions[0], target.dimensions[1], target.dimensions[2])
        var output = [Int32](repeating: 0, count: target.voxelCount)
        for k in 0..<tz {
            for j in 0..<ty {
                for i in 0..<tx {
                    let p = target.world(i, j, k)
                    guard let si = nearestIndex(inverse[0][0] * p.x + inverse[0][1] * p.y + inverse[0][2] * p.z + inverse[0][3], below: nx),
                          let sj = nearestIndex(inverse[1][0] * p.x + inverse[1][1] * p.y + inverse[1][2] * p.z + inverse[1][3], below: ny),
                          let sk = nearestIndex(inverse[2][0] * p.x + inverse[2][1] * p.y + inverse[2][2] * p.z + inverse[2][3], below: nz)
                    else { continue }
                    output[i + tx * (j + ty * k)] = labels[si + nx * (sj + ny * sk)]
                }
            }
        }
        return LabelVolume(grid: target, labels: output)
    }

    /// The voxel index nearest to continuous index `x` when it lies in `0 ..< count`, else nil.
    /// Compared as a `Double` first: an extreme affine gives coordinates no `Int` can hold (or
    /// NaN), and converting those would trap.
    private func nearestIndex(_ x: Double, below count: Int) -> Int? {
        let rounded = x.rounded()
        guard rounded >= 0, rounded < Double(count) else { return nil }
        return Int(rounded)
    }

    /// Per-label voxel lists, counts and centroids: one pass over the volume.
    public func regionIndex() -> RegionIndex {
        var counts: [Int32: Int] = [:]
        for label in labels where label != 0 { counts[label, default: 0] += 1 }
        let ordered = counts.keys.sorted()
        var offsets: [Int32: Int] = [:]
        var running = 0
        for label in ordered { offsets[label] = running; running += counts[label]! }
        var cursor = offsets
        var voxels = [Int32](repeating: 0, count: running)
        var sums: [Int32: (Double, Double, Double)] = [:]
        for (index, label) in labels.enumerated() where label != 0 {
            voxels[cursor[label]!] = Int32(index)
            cursor[label]! += 1
            let p = grid.world(index: index)
            let s = sums[label] ?? (0, 0, 0)
            sums[label] = (s.0 + p.x, s.1 + p.y, s.2 + p.z)
        }
        let regions = ordered.map { label -> RegionIndex.Entry in
            let n = Double(counts[label]!), s = sums[label]!
            return .init(label: label, offset: offsets[label]!, count: counts[label]!, centroid: [s.0 / n, s.1 / n, s.2 / n])
        }
        return RegionIndex(regions: regions, voxels: voxels, voxelVolume: grid.voxelVolume)
    }
}

/// The voxels of every label of a ``LabelVolume``, grouped by label (ascending) and, within a
/// label, in ascending linear index — the layout `dtb` stores in HDF5.
public struct RegionIndex: Sendable {
    public struct Entry: Sendable, Equatable {
        public let label: Int32
        /// Start of this label's voxels in ``RegionIndex/voxels``.
        public let offset: Int
        public let count: Int
        /// Mean world coordinate (mm) of the label's voxel centres.
        public let centroid: [Double]
    }

    public let regions: [Entry]
    /// Linear voxel indices, concatenated label by label.
    public let voxels: [Int32]
    public let voxelVolume: Double

    public func entry(for label: Int32) -> Entry? { regions.first { $0.label == label } }
}
