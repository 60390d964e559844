/// Checks of header fields libnifti accepts as they are but that would make a reader read the
/// wrong bytes or place voxels nowhere: a `vox_offset` inside the header or between bytes, and
/// transforms with NaN or infinite entries.
enum HeaderChecks {
    /// Where `vox_offset` sits: a float32 at byte 108 of a NIfTI-1 header, an int64 at byte 168 of
    /// a NIfTI-2 header.
    private static let nifti1OffsetField = 108
    private static let nifti2OffsetField = 168

    /// Refuses a `vox_offset` that is not a finite whole number of bytes or, in a one-file image
    /// (`n+1`, `n+2`), one that points inside the header and its 4-byte extension flag. libnifti
    /// rounds the first down and moves the second past the header without a word, so the voxels
    /// would be read from a byte the writer never meant.
    static func checkVoxelOffset(_ bytes: [UInt8], version: Int, path: String) throws {
        let swapped = isSwapped(bytes, version: version)
        let offset: Double
        let oneFile: Bool
        if version == 1 {
            var raw = load(UInt32.self, from: bytes, at: nifti1OffsetField)
            if swapped { raw = raw.byteSwapped }
            offset = Double(Float(bitPattern: raw))
            oneFile = bytes[345] == UInt8(ascii: "+")
        } else {
            var raw = load(UInt64.self, from: bytes, at: nifti2OffsetField)
            if swapped { raw = raw.byteSwapped }
            offset = Double(Int64(bitPattern: raw))
            oneFile = bytes[5] == UInt8(ascii: "+")
        }
        let minimum = oneFile ? (version == 1 ? LibNIfTI.nifti1HeaderSize : LibNIfTI.nifti2HeaderSize) + 4 : 0
        guard offset.isFinite, offset.rounded() == offset else {
            throw NIfTIError.invalidHeader(path: path, reason: "vox_offset \(offset) is not a whole number of bytes")
        }
        guard offset >= Double(minimum) else {
            let shown = Int64(exactly: offset).map(String.init) ?? "\(offset)"
            throw NIfTIError.invalidHeader(path: path, reason: "vox_offset \(shown) points inside the header (the voxels start at byte \(minimum) or later)")
        }
    }

    /// Refuses a transform in use, or the voxel sizes behind the fallback one, with a NaN or
    /// infinite entry: nothing can place such voxels in space, and later arithmetic would trap.
    static func checkTransforms(_ header: NIfTIHeader, path: String) throws {
        let spatial = header.pixdim.prefix(3)
        if let bad = spatial.first(where: { !$0.isFinite }) {
            throw NIfTIError.invalidHeader(path: path, reason: "voxel size (pixdim) \(bad) is not finite")
        }
        for (name, code, matrix) in [("sform", header.sformCode, header.sform), ("qform", header.qformCode, header.qform)] where code > 0 {
            if let bad = matrix.joined().first(where: { !$0.isFinite }) {
                throw NIfTIError.invalidHeader(path: path, reason: "the \(name) (code \(code)) has a non-finite entry \(bad)")
            }
        }
    }

    /// Whether the header was written in the other byte order: its `sizeof_hdr` reads back swapped.
    private static func isSwapped(_ bytes: [UInt8], version: Int) -> Bool {
        let size = load(UInt32.self, from: bytes, at: 0)
        let expected = UInt32(version == 1 ? LibNIfTI.nifti1HeaderSize : LibNIfTI.nifti2HeaderSize)
        return size != expected && size.byteSwapped == expected
    }

    private static func load<T: FixedWidthInteger>(_ type: T.Type, from bytes: [UInt8], at offset: Int) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
