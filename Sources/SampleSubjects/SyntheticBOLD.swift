import Foundation
import Imaging
import NIfTI
import Primitives

/// A deterministic 4-D BOLD run on an atlas grid, for the ingest benchmark: inside a mask,
/// 1000 + a slow sinusoid (period 25 volumes) with a voxel-specific phase + uniform noise; zero
/// outside (as after brain masking). Float32, written volume by volume, so a 300-volume run on
/// the 2 mm MNI grid (1 GB of voxels) never sits in memory.
public struct SyntheticBOLD: Sendable {
    /// The volumes a run may have: a time series needs two, and NIfTI-1 stores the count in 16 bits.
    public static let volumeRange = 2 ... Int(Int16.max)

    public var volumes: Int
    public var seed: UInt64

    public init(volumes: Int, seed: UInt64) { self.volumes = volumes; self.seed = seed }

    /// Writes the run as an uncompressed `.nii` at `url`; `mask` (one flag per voxel of `grid`)
    /// marks the voxels with signal.
    public func write(to url: URL, grid: VoxelGrid, mask: [Bool]) throws {
        guard Self.volumeRange.contains(volumes) else { throw SampleDataError.volumes(volumes) }
        let handle = try startFile(url, grid: grid)
        defer { try? handle.close() }
        var random = SplitMix64(state: seed)
        let phase = (0..<grid.voxelCount).map { Float($0 % 97) * 0.065 }
        var volume = [Float](repeating: 0, count: grid.voxelCount)
        for t in 0..<volumes {
            let angle = Float(t) * 2 * .pi / 25
            for v in volume.indices where mask[v] {
                let noise = Float(random.next() >> 40) / Float(1 << 24) - 0.5
                volume[v] = 1000 + 20 * sin(angle + phase[v]) + 10 * noise
            }
            try handle.write(contentsOf: volume.withUnsafeBytes { Data($0) })
        }
    }

    /// Writes the NIfTI header for `volumes` volumes and returns the file open at its end: the
    /// NIfTI module writes the header of a one-volume image, whose time dimension is then set.
    private func startFile(_ url: URL, grid: VoxelGrid) throws -> FileHandle {
        let probe = url.deletingLastPathComponent().appendingPathComponent("probe-\(UUID().uuidString).nii")
        var header = NIfTIHeader(dimensions: grid.dimensions + [1], datatype: .float32, affine: grid.affine)
        header.pixdim[3] = 2
        try NIfTIImage(header: header, float32: [Float](repeating: 0, count: grid.voxelCount)).write(to: probe.path)
        var bytes = [UInt8](try Data(contentsOf: probe).prefix(352))
        try FileManager.default.removeItem(at: probe)
        withUnsafeBytes(of: Int16(volumes).littleEndian) { bytes.replaceSubrange(48..<50, with: $0) }
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes)) else {
            throw SampleDataError.unwritable(url.path)
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return handle
    }
}
