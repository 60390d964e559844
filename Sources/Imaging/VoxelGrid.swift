import Foundation

/// A 3-D voxel grid placed in a template space by its affine (voxel index → millimetres).
///
/// Voxels are addressed by the linear index `i + nx·(j + ny·k)` (x fastest), the order of NIfTI
/// files and of every per-voxel array in `dtb`.
public struct VoxelGrid: Sendable, Equatable, Codable {
    /// Voxel counts along x, y, z.
    public let dimensions: [Int]
    /// 4×4 voxel-to-world matrix, row-major.
    public let affine: [[Double]]

    public init(dimensions: [Int], affine: [[Double]]) {
        precondition(dimensions.count == 3 && affine.count == 4 && affine.allSatisfy { $0.count == 4 })
        self.dimensions = dimensions
        self.affine = affine
    }

    public var voxelCount: Int { dimensions[0] * dimensions[1] * dimensions[2] }

    /// Voxel volume in mm³: |det| of the affine's 3×3 part.
    public var voxelVolume: Double {
        let m = affine
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        return abs(det)
    }

    /// Isotropic resolution in mm (the cube root of the voxel volume).
    public var resolution: Double { cbrt(voxelVolume) }

    /// World coordinate (mm) of a voxel centre.
    public func world(_ i: Int, _ j: Int, _ k: Int) -> (x: Double, y: Double, z: Double) {
        let (fi, fj, fk) = (Double(i), Double(j), Double(k))
        let m = affine
        return (m[0][0] * fi + m[0][1] * fj + m[0][2] * fk + m[0][3],
                m[1][0] * fi + m[1][1] * fj + m[1][2] * fk + m[1][3],
                m[2][0] * fi + m[2][1] * fj + m[2][2] * fk + m[2][3])
    }

    /// World coordinate of the voxel with linear index `index`.
    public func world(index: Int) -> (x: Double, y: Double, z: Double) {
        let nx = dimensions[0], ny = dimensions[1]
        return world(index % nx, (index / nx) % ny, index / (nx * ny))
    }

    /// `true` when both grids have the same dimensions and affines equal within `tolerance` mm.
    public func matches(_ other: VoxelGrid, tolerance: Double = 1e-3) -> Bool {
        dimensions == other.dimensions
            && zip(affine.joined(), other.affine.joined()).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// The inverse affine (world → continuous voxel index); `nil` for a singular affine.
    public var inverseAffine: [[Double]]? {
        let m = affine
        let a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2], g = m[2][0], h = m[2][1], k = m[2][2]
        let det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g)
        guard abs(det) > 1e-12 else { return nil }
        let r = [[(e * k - f * h) / det, (c * h - b * k) / det, (b * f - c * e) / det],
                 [(f * g - d * k) / det, (a * k - c * g) / det, (c * d - a * f) / det],
                 [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]]
        let t = (0..<3).map { row in -(r[row][0] * m[0][3] + r[row][1] * m[1][3] + r[row][2] * m[2][3]) }
        return (0..<3).map { r[$0] + [t[$0]] } + [[0, 0, 0, 1]]
    }
}
