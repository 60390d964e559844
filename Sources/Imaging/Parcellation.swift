import Foundation
import NIfTI

/// A label volume prepared for fast region statistics: the voxels of each wanted label, grouped
/// label by label (in the order of ``labels``) and, within a label, in ascending linear index —
/// the same layout as ``RegionIndex`` and the atlas HDF5 `/voxels` lists.
///
/// Pure compute: no files, no database. Use ``regionStatistics(of:)`` for a 3-D map (sums, means,
/// finite-voxel counts), ``gather(_:)`` for the per-voxel values of a voxel-level model, and
/// ``SeriesParcellator`` to turn a 4-D image into region mean time series one volume at a time.
public struct Parcellation: Sendable {
    /// The grid the voxel indices refer to (the image's grid).
    public let grid: VoxelGrid
    /// Region labels in output order (typically the atlas's labels, ascending).
    public let labels: [Int32]
    /// `offsets[r] ..< offsets[r + 1]` are region `r`'s entries in ``voxels``.
    public let offsets: [Int]
    /// Linear voxel indices, concatenated region by region.
    public let voxels: [Int32]

    /// Groups the voxels of `volume` by label.
    ///
    /// - Parameter wanted: the labels to report, in order; default: the labels present, ascending.
    ///   A wanted label with no voxel gets an empty range; voxels of labels not wanted are ignored.
    public init(_ volume: LabelVolume, labels wanted: [Int32]? = nil) {
        let order = wanted ?? volume.presentLabels
        var slot: [Int32: Int] = [:]
        for (index, label) in order.enumerated() { slot[label] = index }
        var counts = [Int](repeating: 0, count: order.count)
        // A dense lookup for the common case of small positive labels avoids hashing per voxel.
        let maxLabel = Int(order.max() ?? 0)
        let dense = order.allSatisfy { $0 > 0 } && maxLabel < 1 << 20
        var table = [Int](repeating: -1, count: dense ? maxLabel + 1 : 0)
        if dense { for (index, label) in order.enumerated() { table[Int(label)] = index } }
        @inline(__always) func region(of label: Int32) -> Int {
            if label == 0 { return -1 }
            if dense { return label > 0 && Int(label) <= maxLabel ? table[Int(label)] : -1 }
            return slot[label] ?? -1
        }
        for label in volume.labels {
            let r = region(of: label)
            if r >= 0 { counts[r] += 1 }
        }
        var offsets = [Int](repeating: 0, count: order.count + 1)
        for r in 0..<order.count { offsets[r + 1] = offsets[r] + counts[r] }
        var cursor = Array(offsets.dropLast())
        var voxels = [Int32](repeating: 0, count: offsets[order.count])
        for (index, label) in volume.labels.enumerated() {
            let r = region(of: label)
            guard r >= 0 else { continue }
            voxels[cursor[r]] = Int32(index)
            cursor[r] += 1
        }
        self.grid = volume.grid
        self.labels = order
        self.offsets = offsets
        self.voxels = voxels
    }

    public var regionCount: Int { labels.count }

    /// Voxels of region `r` (by position in ``labels``).
    public func voxelCount(ofRegion r: Int) -> Int { offsets[r + 1] - offsets[r] }

    /// All labelled voxels (the length of ``gather(_:)``'s result).
    public var labelledVoxelCount: Int { voxels.count }

    /// Per-region sums, means and counts of the finite values of a 3-D map on ``grid``.
    ///
    /// Non-finite voxels (NaN, ±Inf) are left out of both sums and counts and counted in
    /// ``RegionStatistics/nonFiniteVoxels``; callers decide whether that is an error.
    public func regionStatistics(of values: [Float]) -> RegionStatistics {
        precondition(values.count == grid.voxelCount, "the map must have one value per voxel of the grid")
        var sums = [Double](repeating: 0, count: regionCount)
        var counts = [Int](repeating: 0, count: regionCount)
        var nonFinite = 0
        values.withUnsafeBufferPointer { v in
            voxels.withUnsafeBufferPointer { idx in
                for r in 0..<regionCount {
                    var sum = 0.0, n = 0
                    for p in offsets[r]..<offsets[r + 1] {
                        let x = v[Int(idx[p])]
                        if x.isFinite { sum += Double(x); n += 1 } else { nonFinite += 1 }
                    }
                    sums[r] = sum
                    counts[r] = n
                }
            }
        }
        return RegionStatistics(labels: labels, sums: sums, finiteCounts: counts,
                                voxelCounts: (0..<regionCount).map(voxelCount(ofRegion:)), nonFiniteVoxels: nonFinite)
    }

    /// The values at the labelled voxels, in ``voxels`` order (region by region).
    public func gather(_ values: [Float]) -> [Float] {
        precondition(values.count == grid.voxelCount, "the map must have one value per voxel of the grid")
        return values.withUnsafeBufferPointer { v in
            voxels.map { v[Int($0)] }
        }
    }

    /// Region means of one volume into `output[0 ..< regionCount]`; a region without finite
    /// voxels gets NaN. Returns the number of non-finite voxels met.
    @discardableResult
    public func means(of values: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) -> Int {
        var nonFinite = 0
        voxels.withUnsafeBufferPointer { idx in
            offsets.withUnsafeBufferPointer { off in
                for r in 0..<regionCount {
                    var sum = 0.0, n = 0
                    var p = off[r]
                    let end = off[r + 1]
                    // Fast path: plain accumulation; the finiteness of the sum tells whether any
                    // voxel was NaN/Inf, and only then is the region recomputed voxel by voxel.
                    var fast: Float = 0
                    var fastDouble = 0.0
                    var blockCount = 0
                    while p < end {
                        fast += values[Int(idx[p])]
                        blockCount += 1
                        if blockCount == 64 { fastDouble += Double(fast); fast = 0; blockCount = 0 }
                        p += 1
                    }
                    fastDouble += Double(fast)
                    if fastDouble.isFinite {
                        sum = fastDouble
                        n = end - off[r]
                    } else {
                        for q in off[r]..<end {
                            let x = values[Int(idx[q])]
                            if x.isFinite { sum += Double(x); n += 1 } else { nonFinite += 1 }
                        }
                    }
                    output[r] = n > 0 ? Float(sum / Double(n)) : .nan
                }
            }
        }
        return nonFinite
    }
}

/// Region sums of a 3-D map (see ``Parcellation/regionStatistics(of:)``), in ``labels`` order.
public struct RegionStatistics: Sendable, Equatable {
    public let labels: [Int32]
    /// Sum of the finite values per region.
    public let sums: [Double]
    /// Finite voxels per region.
    public let finiteCounts: [Int]
    /// All voxels per region.
    public let voxelCounts: [Int]
    /// NaN or infinite voxels inside the labelled regions.
    public let nonFiniteVoxels: Int

    /// Mean of the finite values per region; NaN for a region without any.
    public var means: [Double] { zip(sums, finiteCounts).map { $1 > 0 ? $0 / Double($1) : .nan } }
}

/// Region mean time series of a 4-D image on several parcellations at once, reading one volume
/// at a time so memory stays at a few volumes however long the run.
public struct SeriesParcellator {
    public let parcellations: [Parcellation]
    /// Per parcellation: frames × regions, row-major (frame by frame).
    public private(set) var series: [[Float]]
    public private(set) var frames = 0
    /// Per parcellation: NaN/Inf voxels met inside its labelled regions, summed over volumes
    /// (left out of the means).
    public private(set) var nonFiniteVoxels: [Int]

    public init(parcellations: [Parcellation]) {
        self.parcellations = parcellations
        series = parcellations.map { _ in [] }
        nonFiniteVoxels = parcellations.map { _ in 0 }
    }

    /// Adds one volume (one value per voxel of the grid).
    public mutating func add(volume: [Float]) {
        frames += 1
        for (k, parcellation) in parcellations.enumerated() {
            precondition(volume.count == parcellation.grid.voxelCount, "volume size must match the grid")
            let start = series[k].count
            series[k].append(contentsOf: repeatElement(0, count: parcellation.regionCount))
            let bad = volume.withUnsafeBufferPointer { v in
                series[k].withUnsafeMutableBufferPointer { out in
                    parcellation.means(of: v, into: UnsafeMutableBufferPointer(rebasing: out[start..<(start + parcellation.regionCount)]))
                }
            }
            nonFiniteVoxels[k] += bad
        }
    }

    /// Streams every remaining volume of `reader`, calling `progress(frame, total)` after each.
    public mutating func consume(_ reader: inout NIfTIVolumeReader, progress: ((Int, Int) -> Void)? = nil) throws {
        var buffer: [Float] = []
        while try reader.nextVolume(into: &buffer) {
            add(volume: buffer)
            progress?(frames, reader.volumeCount)
        }
    }
}
