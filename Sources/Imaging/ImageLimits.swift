import NIfTI

/// The images `dtb` reads: their size, checked on the header before any voxel is read (a 4 MB
/// `.nii.gz` can claim gigabytes of zeros, and a whole 3-D map — gray matter, a PET map, a label
/// volume — is held in memory to be parcellated), and their voxel sizes.
public enum ImageLimits {
    /// Voxels in one volume: 2²⁶ = 67,108,864, above a 0.5 mm whole-head grid (about 58 M) and
    /// a hundred times a 2 mm MNI grid. A 3-D map at the limit peaks near 0.8 GB in an ingest (its
    /// stored and decoded voxels and the atlas resampled onto its grid); a 4-D image streams one
    /// such volume at a time.
    public static let maximumVoxelsPerVolume = 1 << 26

    /// Voxel edge lengths (mm) an image of a brain may have: from high-resolution ex-vivo scans to
    /// coarse PET with room on either side. An affine outside them (a 1e30 mm voxel, a flattened
    /// axis) would turn probabilities into absurd volumes rather than fail.
    public static let voxelSize = 0.01 ... 100.0

    /// Why `grid`'s voxel edges (the column lengths of its affine) are implausible, or nil.
    public static func problem(with grid: VoxelGrid) -> String? {
        let edges = (0..<3).map { axis in (0..<3).map { grid.affine[$0][axis] * grid.affine[$0][axis] }.reduce(0, +).squareRoot() }
        guard let bad = edges.first(where: { !voxelSize.contains($0) }) else { return nil }
        return "its affine gives voxels of \(edges.map { "\($0)" }.joined(separator: " × ")) mm; a voxel edge of \(bad) mm is outside \(voxelSize.lowerBound)–\(voxelSize.upperBound) mm"
    }

    /// Why `header` is too large to read, or nil when it is not.
    public static func problem(with header: NIfTIHeader) -> String? {
        let voxels = header.dimensions.prefix(3).reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? .max : $0 * $1 }
        guard voxels > maximumVoxelsPerVolume else { return nil }
        let dims = header.dimensions.prefix(3).map(String.init).joined(separator: "×")
        return "a volume of \(dims) voxels is more than dtb reads (\(maximumVoxelsPerVolume) voxels, a 0.5 mm whole-head grid); resample it first"
    }
}
