/// A NIfTI image held in memory: its header and its voxels in file order (x fastest).
///
/// Voxels keep their stored type; ``values()`` and friends convert and apply `scl_slope`/`scl_inter`.
public struct NIfTIImage: Sendable {
    private var storedHeader: NIfTIHeader
    private let voxelType: NIfTIDataType
    /// Voxel bytes in native byte order.
    private let bytes: [UInt8]

    /// The file this image was read from, used to name it in errors; nil for images made in memory.
    public var path: String?

    /// The header. Its `datatype` always reports the type the voxels are held in; to change the
    /// type, make a new image from converted voxels.
    public var header: NIfTIHeader {
        get {
            var header = storedHeader
            header.datatype = voxelType
            return header
        }
        set { storedHeader = newValue }
    }

    /// An image with `header` and `voxels` in file order (x fastest). The datatype comes from `T`.
    ///
    /// The voxel count is checked against the dimensions when writing.
    public init<T: NIfTIScalar>(header: NIfTIHeader, voxels: [T]) {
        self.init(header: header, type: T.niftiDataType, bytes: voxels.withUnsafeBytes { Array($0) }, path: nil)
    }

    public init(header: NIfTIHeader, float32 voxels: [Float]) { self.init(header: header, voxels: voxels) }
    public init(header: NIfTIHeader, float64 voxels: [Double]) { self.init(header: header, voxels: voxels) }
    public init(header: NIfTIHeader, int16 voxels: [Int16]) { self.init(header: header, voxels: voxels) }
    public init(header: NIfTIHeader, int32 voxels: [Int32]) { self.init(header: header, voxels: voxels) }
    public init(header: NIfTIHeader, uint8 voxels: [UInt8]) { self.init(header: header, voxels: voxels) }

    private init(header: NIfTIHeader, type: NIfTIDataType, bytes: [UInt8], path: String?) {
        storedHeader = header
        voxelType = type
        self.bytes = bytes
        self.path = path
    }

    /// Reads a `.nii` or `.nii.gz` file (NIfTI-1 or NIfTI-2; also a `.hdr`/`.img` pair).
    ///
    /// - Throws: ``NIfTIError`` naming `path`: missing, unreadable, not NIfTI, unsupported datatype,
    ///   corrupt gzip data or truncated voxel data.
    public static func read(path: String) throws -> NIfTIImage {
        let (header, layout) = try LibNIfTI.readHeader(path: path)
        let stream = try VoxelStream(path: layout.dataPath, offset: layout.offset, compressed: layout.compressed)
        var bytes: [UInt8] = []
        do {
            try stream.read(layout.byteCount, into: &bytes)
        } catch let error as CorruptStream {
            let reason = "damaged after \(grouped(error.bytesRead)) of \(grouped(layout.byteCount)) bytes of voxel data"
            throw NIfTIError.corruptCompression(path: path, reason: reason)
        }
        guard bytes.count == layout.byteCount else {
            throw NIfTIError.truncated(path: path, expectedBytes: layout.byteCount, foundBytes: bytes.count)
        }
        try verifyTrailer(of: stream, path: path)
        if layout.swapSize > 1 {
            bytes.withUnsafeMutableBytes { LibNIfTI.swapBytes($0, unit: layout.swapSize) }
        }
        return NIfTIImage(header: header, type: header.datatype, bytes: bytes, path: path)
    }

    /// Reads only the header of a `.nii` or `.nii.gz` file.
    public static func readHeader(path: String) throws -> NIfTIHeader {
        try LibNIfTI.readHeader(path: path).header
    }

    /// The voxels as stored, without scaling, when `T` is their type; nil otherwise.
    public func voxels<T: NIfTIScalar>(as type: T.Type) -> [T]? {
        guard T.niftiDataType == voxelType else { return nil }
        let count = bytes.count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }

    /// The voxel values in file order, scaled by `scl_slope`/`scl_inter` when the slope is non-zero.
    public func values() -> [Double] {
        var values = [Double](repeating: 0, count: bytes.count / voxelType.byteCount)
        values.withUnsafeMutableBufferPointer { out in
            forEachValue { out[$0] = $1 }
        }
        return values
    }

    /// ``values()`` as `Float`, half the memory.
    public func floatValues() -> [Float] {
        var values: [Float] = []
        bytes.withUnsafeBytes { decodeFloats($0, datatype: voxelType, scaling: Scaling(header), into: &values) }
        return values
    }

    /// The (scaled) voxel values as labels.
    ///
    /// - Throws: ``NIfTIError/notIntegerLabels(path:voxel:value:)`` at the first voxel that is not
    ///   an integer in `Int32` range (1.5, NaN, Inf, ...), naming the file and the voxel.
    public func integerLabels() throws -> [Int32] {
        var labels = [Int32](repeating: 0, count: bytes.count / voxelType.byteCount)
        try labels.withUnsafeMutableBufferPointer { out in
            try forEachValue { index, value in
                guard let label = Int32(exactly: value) else {
                    throw NIfTIError.notIntegerLabels(path: path ?? "in-memory image", voxel: coordinates(of: index), value: value)
                }
                out[index] = label
            }
        }
        return labels
    }

    /// The number of voxels whose (scaled) value is NaN or infinite.
    public func nonFiniteCount() -> Int {
        var count = 0
        forEachValue { _, value in if !value.isFinite { count += 1 } }
        return count
    }

    /// Writes the image as NIfTI-`version` (1 or 2), gzip-compressed when `path` ends in `.gz`.
    ///
    /// The sform and qform go in with their codes (the qform as the nearest rotation, voxel sizes
    /// and k flip). A failed write removes the partial file.
    public func write(to path: String, version: Int = 1) throws {
        try validateForWriting(version: version, path: path)
        let headerBytes = try LibNIfTI.headerBytes(for: header, version: version, path: path)
        // The four zero bytes after the header say "no extensions follow".
        try writeFile(path: path, parts: [headerBytes, [0, 0, 0, 0], bytes])
    }

    private func validateForWriting(version: Int, path: String) throws {
        let failure = { (reason: String) in NIfTIError.writeFailed(path: path, reason: reason) }
        let dims = header.dimensions
        guard version == 1 || version == 2 else { throw failure("NIfTI version must be 1 or 2, not \(version)") }
        guard (1...7).contains(dims.count), dims.allSatisfy({ $0 >= 1 }) else {
            throw failure("dimensions \(dims) must be 1 to 7 sizes of at least 1")
        }
        guard version == 2 || dims.allSatisfy({ $0 <= Int(Int16.max) }) else {
            throw failure("dimensions \(dims) exceed NIfTI-1's limit of 32,767; write NIfTI-2")
        }
        guard voxelByteCount(header) == bytes.count else {
            throw failure("\(grouped(bytes.count / voxelType.byteCount)) voxels do not fill dimensions \(dims)")
        }
    }

    private func forEachValue(_ body: (Int, Double) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try forEachScaledVoxel(in: $0, datatype: voxelType, scaling: Scaling(header), body) }
    }

    /// Grid coordinates (i, j, k[, t...]) of the voxel at `index` in file order.
    private func coordinates(of index: Int) -> [Int] {
        var remainder = index
        return header.dimensions.map { size in
            defer { remainder /= size }
            return remainder % size
        }
    }
}

/// Reads past the data of a gzip file so a damaged checksum is reported, not ignored.
func verifyTrailer(of stream: VoxelStream, path: String) throws {
    do {
        try stream.verifyTrailer()
    } catch is CorruptStream {
        throw NIfTIError.corruptCompression(path: path, reason: "checksum mismatch at the end of the stream")
    }
}
