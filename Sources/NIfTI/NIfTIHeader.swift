/// The parts of a NIfTI-1 or NIfTI-2 header that describe the voxel grid and its place in space.
///
/// Matrices are 4×4, row-major, mapping voxel indices (i, j, k, 1) to world coordinates (x, y, z, 1).
/// When a transform's code is 0 its matrix is the plain ``pixdim`` scaling (the NIfTI
/// "method 1" fallback), so every matrix here is usable as is.
public struct NIfTIHeader: Sendable, Equatable {
    /// 1 or 2: the NIfTI version of the file this header came from.
    public var version: Int
    /// Grid size per dimension: nx, ny, nz[, nt, ...]; its count is the number of dimensions.
    public var dimensions: [Int]
    /// Voxel size per dimension (in ``spatialUnits`` for the first three, ``temporalUnits`` for the fourth).
    public var pixdim: [Double]
    /// The voxel datatype in the file.
    public var datatype: NIfTIDataType
    /// Voxel values are `stored * sclSlope + sclInter` when `sclSlope != 0`.
    public var sclSlope: Double
    public var sclInter: Double
    /// Spatial unit: "m", "mm", "um" or "unknown".
    public var spatialUnits: String
    /// Temporal unit: "s", "ms", "us", "Hz", "ppm", "rad/s" or "unknown".
    public var temporalUnits: String
    /// `NIFTI_XFORM_*` codes: 0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI-152, 5 other template.
    public var qformCode: Int
    public var sformCode: Int
    /// The sform matrix (general affine).
    public var sform: [[Double]]
    /// The qform matrix (rotation, voxel sizes, offset and a possible flip of k, from the quaternion).
    ///
    /// A qform can hold no shear: writing stores the nearest such matrix, and when `qformCode > 0`
    /// its voxel sizes become the spatial `pixdim`, as the format requires.
    public var qform: [[Double]]
    /// The header's free-text `descrip` field (at most 79 bytes are written).
    public var description: String

    /// Creates a header for a new image.
    ///
    /// - Parameters:
    ///   - pixdim: voxel sizes; by default the column lengths of `affine` for x, y, z and 1 elsewhere.
    ///   - affine: voxel → world; stored as both sform and qform with code 2 (aligned). Without it,
    ///     both codes are 0 and the matrices are the `pixdim` scaling.
    public init(
        dimensions: [Int], datatype: NIfTIDataType, pixdim: [Double]? = nil, affine: [[Double]]? = nil,
        spatialUnits: String = "mm", temporalUnits: String = "s",
        sclSlope: Double = 1, sclInter: Double = 0, description: String = ""
    ) {
        self.version = 1
        self.dimensions = dimensions
        self.pixdim = pixdim ?? Array(repeating: 1, count: dimensions.count)
        self.datatype = datatype
        self.sclSlope = sclSlope
        self.sclInter = sclInter
        self.spatialUnits = spatialUnits
        self.temporalUnits = temporalUnits
        self.qformCode = 0
        self.sformCode = 0
        self.description = description
        self.sform = []
        self.qform = []
        self.sform = scalingMatrix
        self.qform = scalingMatrix
        if let affine {
            self.setAffine(affine, updatingPixdim: pixdim == nil)
        }
    }

    /// Voxels per volume: the product of the first three dimensions.
    public var voxelCount: Int { dimensions.prefix(3).reduce(1, *) }

    /// Volumes in the image: the product of dimensions 4 and up (1 for a 3-D image).
    public var volumeCount: Int { dimensions.dropFirst(3).reduce(1, *) }

    /// Voxel → world: the sform when `sformCode > 0`, else the qform when `qformCode > 0`, else the
    /// `pixdim` scaling.
    ///
    /// Setting it stores the matrix as both sform and qform (a zero code becomes 2, aligned) and
    /// takes the voxel sizes in ``pixdim`` from its column lengths, so writers and readers agree.
    public var affine: [[Double]] {
        get {
            if sformCode > 0 { return sform }
            if qformCode > 0 { return qform }
            return scalingMatrix
        }
        set { setAffine(newValue, updatingPixdim: true) }
    }

    /// diag(dx, dy, dz, 1), the transform NIfTI implies when no code is set.
    var scalingMatrix: [[Double]] {
        (0..<4).map { row in
            (0..<4).map { column in
                guard row == column else { return 0 }
                return row < 3 && row < pixdim.count ? pixdim[row] : 1
            }
        }
    }

    private mutating func setAffine(_ matrix: [[Double]], updatingPixdim: Bool) {
        sform = matrix
        qform = matrix
        if sformCode == 0 { sformCode = 2 }
        if qformCode == 0 { qformCode = 2 }
        guard updatingPixdim, matrix.count >= 3, matrix.allSatisfy({ $0.count >= 3 }) else { return }
        for axis in 0..<min(3, pixdim.count) {
            let column = (0..<3).map { matrix[$0][axis] }
            pixdim[axis] = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
    }
}

/// `xyzt_units` codes and their names.
enum Units {
    static let spatial: [(code: Int32, name: String)] = [(0, "unknown"), (1, "m"), (2, "mm"), (3, "um")]
    static let temporal: [(code: Int32, name: String)] = [
        (0, "unknown"), (8, "s"), (16, "ms"), (24, "us"), (32, "Hz"), (40, "ppm"), (48, "rad/s"),
    ]

    static func name(_ code: Int32, in table: [(code: Int32, name: String)]) -> String {
        table.first { $0.code == code }?.name ?? "unknown"
    }

    static func code(_ name: String, in table: [(code: Int32, name: String)]) -> Int32? {
        table.first { $0.name == name }?.code
    }
}
