internal import CNIfTI
import Foundation

/// libnifti prints its own diagnostics to stderr unless told not to; we throw ours instead.
private let quietLibNIfTI: Void = nifti_set_debug_level(0)

/// Where and how a file stores its voxel data, as libnifti found it in the header.
struct DataLayout {
    /// The file holding the voxels (the `.img` of a two-file pair, else the file itself).
    var dataPath: String
    var offset: Int
    var compressed: Bool
    /// Bytes per swapped unit when the file's byte order differs from ours, else 0.
    var swapSize: Int
    /// Bytes of voxel data the header describes.
    var byteCount: Int
}

/// The bridge to libnifti: header parsing on read, header construction on write.
enum LibNIfTI {
    static let nifti1HeaderSize = 348
    static let nifti2HeaderSize = 540

    /// Reads and checks the header of `path`.
    static func readHeader(path: String) throws -> (header: NIfTIHeader, layout: DataLayout) {
        _ = quietLibNIfTI
        try checkReadable(path)
        let (version, bytes) = try checkMagic(path)
        try HeaderChecks.checkVoxelOffset(bytes, version: version, path: path)
        // libnifti's own reader does the byte swapping and quaternion → matrix work.
        guard let nim = nifti_image_read(path, 0) else {
            throw NIfTIError.invalidHeader(path: path, reason: "libnifti rejects it (dimensions, datatype or offsets out of range)")
        }
        defer { nifti_image_free(nim) }
        var header = try header(of: nim.pointee, path: path)
        header.version = version
        try HeaderChecks.checkTransforms(header, path: path)
        guard let byteCount = voxelByteCount(header) else {
            throw NIfTIError.invalidHeader(path: path, reason: "dimensions \(header.dimensions) are too large")
        }
        let layout = layout(of: nim.pointee, byteCount: byteCount)
        // A .hdr names its .img: that one must be a regular file too before it is opened.
        if layout.dataPath != path { try checkReadable(layout.dataPath) }
        return (header, layout)
    }

    /// Refuses what is not a regular file before anything opens it: opening a FIFO for reading
    /// blocks until a writer comes (for ever), and a device or socket is no image either.
    static func checkReadable(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw NIfTIError.fileNotFound(path: path) }
            throw NIfTIError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw NIfTIError.unreadable(path: path, reason: "is a directory")
        case S_IFIFO: throw NIfTIError.unreadable(path: path, reason: "is a FIFO (named pipe), not a regular file")
        case S_IFSOCK: throw NIfTIError.unreadable(path: path, reason: "is a socket, not a regular file")
        default: throw NIfTIError.unreadable(path: path, reason: "is a device, not a regular file")
        }
    }

    /// Reads the first bytes ourselves, because libnifti only says "failed" for a missing magic,
    /// a short file and a broken gzip stream alike. Returns the NIfTI version and the header's bytes.
    private static func checkMagic(_ path: String) throws -> (version: Int, bytes: [UInt8]) {
        let stream = try VoxelStream(path: path, offset: 0, compressed: nifti_is_gzfile(path) != 0)
        var bytes: [UInt8] = []
        do {
            try stream.read(nifti2HeaderSize, into: &bytes)
        } catch {
            throw NIfTIError.corruptCompression(path: path, reason: "cannot decompress the header")
        }
        guard bytes.count >= nifti1HeaderSize else {
            throw NIfTIError.notNIfTI(path: path, reason: "only \(bytes.count) bytes, shorter than a NIfTI header (\(nifti1HeaderSize))")
        }
        let version = bytes.withUnsafeBytes { nifti_header_version($0.baseAddress, $0.count) }
        guard version == 1 || version == 2 else {
            throw NIfTIError.notNIfTI(path: path, reason: "no NIfTI-1 or NIfTI-2 magic in the header")
        }
        guard version == 1 || bytes.count == nifti2HeaderSize else {
            throw NIfTIError.notNIfTI(path: path, reason: "only \(bytes.count) bytes, shorter than a NIfTI-2 header (\(nifti2HeaderSize))")
        }
        return (Int(version), bytes)
    }

    private static func header(of nim: nifti_image, path: String) throws -> NIfTIHeader {
        guard let datatype = NIfTIDataType(rawValue: nim.datatype) else {
            let name = nifti_datatype_string(nim.datatype).map { String(cString: $0) } ?? "unknown"
            throw NIfTIError.unsupportedDatatype(path: path, code: Int(nim.datatype), name: name)
        }
        // nim.ndim drops trailing sizes of 1; dim[0] is what the file says (91×109×1 stays 3-D).
        let dims = elements(of: nim.dim, as: Int64.self)
        let rank = Int(dims[0])
        guard (1...7).contains(rank), dims[1...rank].allSatisfy({ $0 >= 1 }) else {
            throw NIfTIError.invalidHeader(path: path, reason: "dimensions \(dims) out of range")
        }
        var header = NIfTIHeader(
            dimensions: dims[1...rank].map { Int($0) }, datatype: datatype,
            pixdim: Array(elements(of: nim.pixdim, as: Double.self)[1...rank]),
            spatialUnits: Units.name(nim.xyz_units, in: Units.spatial),
            temporalUnits: Units.name(nim.time_units, in: Units.temporal),
            // Writers such as nibabel store NaN for "unscaled"; 0 says the same and compares equal.
            sclSlope: nim.scl_slope.isFinite ? nim.scl_slope : 0,
            sclInter: nim.scl_slope.isFinite && nim.scl_inter.isFinite ? nim.scl_inter : 0,
            description: string(of: nim.descrip))
        header.qformCode = Int(nim.qform_code)
        header.sformCode = Int(nim.sform_code)
        // libnifti fills qto_xyz with the pixdim scaling when qform_code is 0, but leaves sto_xyz unset.
        header.qform = matrix(nim.qto_xyz)
        if nim.sform_code > 0 { header.sform = matrix(nim.sto_xyz) }
        return header
    }

    private static func layout(of nim: nifti_image, byteCount: Int) -> DataLayout {
        let dataPath = String(cString: nim.iname)
        let swapped = nim.byteorder != nifti_short_order() && nim.swapsize > 1
        return DataLayout(
            dataPath: dataPath, offset: Int(nim.iname_offset),
            compressed: nifti_is_gzfile(dataPath) != 0, swapSize: swapped ? Int(nim.swapsize) : 0,
            byteCount: byteCount)
    }

    /// Builds the on-disk header bytes (without the 4-byte extension flag) for `header`.
    static func headerBytes(for header: NIfTIHeader, version: Int, path: String) throws -> [UInt8] {
        _ = quietLibNIfTI
        let failure = { (reason: String) in NIfTIError.writeFailed(path: path, reason: reason) }
        var dims = [Int64](repeating: 1, count: 8)
        dims[0] = Int64(header.dimensions.count)
        for (axis, size) in header.dimensions.enumerated() { dims[axis + 1] = Int64(size) }
        guard let nim = nifti_make_new_nim(dims, header.datatype.rawValue, 0) else {
            throw failure("libnifti cannot make an image of dimensions \(header.dimensions)")
        }
        defer { nifti_image_free(nim) }
        try fill(&nim.pointee, from: header, version: version, failure: failure)
        return version == 1 ? try nifti1Bytes(nim, failure) : try nifti2Bytes(nim, failure)
    }

    private static func fill(
        _ nim: inout nifti_image, from header: NIfTIHeader, version: Int, failure: (String) -> NIfTIError
    ) throws {
        guard let xyz = Units.code(header.spatialUnits, in: Units.spatial) else {
            throw failure("unknown spatial unit \"\(header.spatialUnits)\"")
        }
        guard let time = Units.code(header.temporalUnits, in: Units.temporal) else {
            throw failure("unknown temporal unit \"\(header.temporalUnits)\"")
        }
        withUnsafeMutableBytes(of: &nim.pixdim) { raw in
            let pixdim = raw.bindMemory(to: Double.self)
            for (axis, size) in header.pixdim.prefix(7).enumerated() { pixdim[axis + 1] = size }
        }
        guard nifti_update_dims_from_array(&nim) == 0 else { throw failure("invalid dimensions \(header.dimensions)") }
        // That call drops trailing sizes of 1 from ndim; keep the rank we were given.
        nim.ndim = Int64(header.dimensions.count)
        nim.dim.0 = nim.ndim
        nim.nifti_type = version == 1 ? NIFTI_FTYPE_NIFTI1_1 : NIFTI_FTYPE_NIFTI2_1
        nim.iname_offset = Int64((version == 1 ? nifti1HeaderSize : nifti2HeaderSize) + 4)
        nim.scl_slope = header.sclSlope
        nim.scl_inter = header.sclInter
        nim.xyz_units = xyz
        nim.time_units = time
        try fillTransforms(&nim, from: header, failure: failure)
        withUnsafeMutableBytes(of: &nim.descrip) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyBytes(from: header.description.utf8.prefix(raw.count - 1))
        }
    }

    private static func fillTransforms(
        _ nim: inout nifti_image, from header: NIfTIHeader, failure: (String) -> NIfTIError
    ) throws {
        guard let qform = dmat44(header.qform), let sform = dmat44(header.sform) else {
            throw failure("sform and qform must be 4×4 matrices")
        }
        nim.qform_code = Int32(header.qformCode)
        nim.sform_code = Int32(header.sformCode)
        nim.qto_xyz = qform
        nim.sto_xyz = sform
        // The file stores the qform as a quaternion; libnifti projects the matrix onto the nearest
        // rotation (+ voxel sizes and a k flip), which is all a qform can say.
        // The quaternion carries no voxel sizes: readers take them from pixdim, so a qform in use
        // decides the spatial pixdim.
        var dx = 0.0, dy = 0.0, dz = 0.0
        nifti_dmat44_to_quatern(
            qform, &nim.quatern_b, &nim.quatern_c, &nim.quatern_d,
            &nim.qoffset_x, &nim.qoffset_y, &nim.qoffset_z, &dx, &dy, &dz, &nim.qfac)
        if header.qformCode > 0 {
            (nim.dx, nim.dy, nim.dz) = (dx, dy, dz)
            withUnsafeMutableBytes(of: &nim.pixdim) { raw in
                let pixdim = raw.bindMemory(to: Double.self)
                (pixdim[1], pixdim[2], pixdim[3]) = (dx, dy, dz)
            }
        }
    }

    private static func nifti1Bytes(_ nim: UnsafeMutablePointer<nifti_image>, _ failure: (String) -> NIfTIError) throws -> [UInt8] {
        var hdr = nifti_1_header()
        guard nifti_convert_nim2n1hdr(nim, &hdr) == 0 else { throw failure("libnifti cannot build a NIfTI-1 header") }
        return withUnsafeBytes(of: hdr) { Array($0.prefix(nifti1HeaderSize)) }
    }

    private static func nifti2Bytes(_ nim: UnsafeMutablePointer<nifti_image>, _ failure: (String) -> NIfTIError) throws -> [UInt8] {
        var hdr = nifti_2_header()
        guard nifti_convert_nim2n2hdr(nim, &hdr) == 0 else { throw failure("libnifti cannot build a NIfTI-2 header") }
        var bytes = withUnsafeBytes(of: hdr) { Array($0.prefix(nifti2HeaderSize)) }
        // libnifti writes only "n+2"; the standard magic goes on with \r\n\032\n, which catches
        // files mangled by text-mode transfers and which some readers insist on.
        bytes.replaceSubrange(4..<12, with: Array("n+2\0\r\n\u{1A}\n".utf8))
        return bytes
    }

    /// Swaps `count` bytes at `buffer` in units of `size` bytes.
    static func swapBytes(_ buffer: UnsafeMutableRawBufferPointer, unit size: Int) {
        nifti_swap_Nbytes(Int64(buffer.count / size), Int32(size), buffer.baseAddress)
    }
}

/// Bytes of voxel data the header describes, or nil when that overflows.
func voxelByteCount(_ header: NIfTIHeader) -> Int? {
    var total = header.datatype.byteCount
    for size in header.dimensions {
        let (product, overflow) = total.multipliedReportingOverflow(by: size)
        if overflow { return nil }
        total = product
    }
    return total
}

/// The elements of a homogeneous C array imported as a tuple.
private func elements<Tuple, Element>(of tuple: Tuple, as type: Element.Type) -> [Element] {
    withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: Element.self)) }
}

private func string<Tuple>(of characters: Tuple) -> String {
    let bytes = elements(of: characters, as: UInt8.self)
    return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
}

private func matrix(_ m: nifti_dmat44) -> [[Double]] {
    let flat = elements(of: m.m, as: Double.self)
    return (0..<4).map { Array(flat[($0 * 4)..<($0 * 4 + 4)]) }
}

private func dmat44(_ rows: [[Double]]) -> nifti_dmat44? {
    guard rows.count == 4, rows.allSatisfy({ $0.count == 4 }) else { return nil }
    var m = nifti_dmat44()
    withUnsafeMutableBytes(of: &m.m) { raw in
        let flat = raw.bindMemory(to: Double.self)
        for (index, value) in rows.joined().enumerated() { flat[index] = value }
    }
    return m
}
