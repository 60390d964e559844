import NIfTI
import Testing

@Suite("NIfTI reading hand-made files")
struct HandMadeFileTests {
    /// 90° about z (b = c = 0, d = sin 45°), voxels 2 × 3 × 4 mm, offset (10, 20, 30).
    private var rotated: HandMadeNIfTI1 {
        var file = HandMadeNIfTI1()
        file.quaternion = (0, 0, Float(0.5.squareRoot()))
        file.offset = (10, 20, 30)
        file.xyztUnits = 2 | 16
        return file
    }

    @Test func qformQuaternionBecomesTheMatrix() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("quaternion.nii")
        try writeBytes(rotated.bytes(voxels: Array(0..<8)), to: path)

        let header = try NIfTIImage.readHeader(path: path)
        #expect(header.qformCode == 1 && header.sformCode == 0)
        #expect(isClose(header.affine, [[0, -3, 0, 10], [2, 0, 0, 20], [0, 0, 4, 30], [0, 0, 0, 1]]))
        #expect(header.spatialUnits == "mm" && header.temporalUnits == "ms")
    }

    @Test func negativeQfacFlipsK() throws {
        let scratch = try ScratchDirectory()
        var file = rotated
        file.pixdim[0] = -1
        let path = scratch.path("qfac.nii")
        try writeBytes(file.bytes(voxels: Array(0..<8)), to: path)

        let header = try NIfTIImage.readHeader(path: path)
        #expect(isClose(header.affine, [[0, -3, 0, 10], [2, 0, 0, 20], [0, 0, -4, 30], [0, 0, 0, 1]]))
    }

    @Test func bigEndianFilesAreSwapped() throws {
        let scratch = try ScratchDirectory()
        var file = rotated
        file.bigEndian = true
        file.sclSlope = 2
        let voxels: [Int16] = [1, -2, 300, -400, 5000, 6, 7, 8]
        let path = scratch.path("big-endian.nii")
        try writeBytes(file.bytes(voxels: voxels), to: path)

        let image = try NIfTIImage.read(path: path)
        #expect(image.voxels(as: Int16.self) == voxels)
        #expect(image.values() == voxels.map { Double($0) * 2 })
        #expect(isClose(image.header.affine, [[0, -3, 0, 10], [2, 0, 0, 20], [0, 0, 4, 30], [0, 0, 0, 1]]))
    }

    @Test func unsupportedDatatypeIsNamed() throws {
        let scratch = try ScratchDirectory()
        var file = HandMadeNIfTI1()
        file.datatype = 128   // RGB24
        file.bitpix = 24
        let path = scratch.path("rgb.nii")
        try writeBytes(file.bytes(voxels: Array(repeating: 0, count: 12)), to: path)

        let error = nifTIError { _ = try NIfTIImage.read(path: path) }
        #expect(error == .unsupportedDatatype(path: path, code: 128, name: "RGB24"))
        #expect(error?.description == "\(path): unsupported datatype RGB24 (code 128)")
    }
}

@Suite("NIfTI bad input")
struct BadInputTests {
    /// A compressible 4-D float image, written as `name`.
    private func writeRamp(_ name: String, in scratch: ScratchDirectory, volumes: Int = 6) throws -> String {
        let header = NIfTIHeader(dimensions: [20, 20, 20, volumes], datatype: .float32)
        let voxels = (0..<(8000 * volumes)).map { Float($0 % 997) * 0.5 }
        let path = scratch.path(name)
        try NIfTIImage(header: header, float32: voxels).write(to: path)
        return path
    }

    @Test func missingFile() {
        let error = nifTIError { _ = try NIfTIImage.read(path: "/nonexistent/sub-01_T1w.nii.gz") }
        #expect(error?.description == "/nonexistent/sub-01_T1w.nii.gz: no such file")
    }

    @Test func directory() throws {
        let scratch = try ScratchDirectory()
        let error = nifTIError { _ = try NIfTIImage.readHeader(path: scratch.url.path) }
        #expect(error == .unreadable(path: scratch.url.path, reason: "is a directory"))
    }

    @Test("garbage and empty files", arguments: ["garbage.nii", "garbage.nii.gz", "empty.nii"])
    func garbage(name: String) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path(name)
        var generator = SystemRandomNumberGenerator()
        let bytes = name.hasPrefix("empty") ? [] : (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try writeBytes(bytes, to: path)

        let error = nifTIError { _ = try NIfTIImage.read(path: path) }
        guard case .notNIfTI(let errorPath, _)? = error else {
            Issue.record("expected notNIfTI, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(error?.description.hasPrefix("\(path): not a NIfTI-1 or NIfTI-2 file: ") == true)
    }

    @Test("truncated files", arguments: ["cut.nii", "cut.nii.gz"])
    func truncated(name: String) throws {
        let scratch = try ScratchDirectory()
        let path = try writeRamp(name, in: scratch)
        let bytes = try readBytes(path)
        try writeBytes(Array(bytes.prefix(bytes.count / 2)), to: path)

        let error = nifTIError { _ = try NIfTIImage.read(path: path) }
        guard case .truncated(path, 192_000, let found)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(found < 192_000)
        if name.hasSuffix(".nii") { #expect(found == bytes.count / 2 - 352) }
        #expect(error?.description.hasPrefix("\(path): truncated: expected 192,000 bytes of voxel data, found ") == true)
    }

    @Test("corrupt gzip bytes", arguments: [0.3, 0.6, 0.9])
    func corruptGzip(at fraction: Double) throws {
        let scratch = try ScratchDirectory()
        let path = try writeRamp("corrupt.nii.gz", in: scratch)
        var bytes = try readBytes(path)
        let middle = Int(Double(bytes.count) * fraction) - 8
        for index in middle..<(middle + 8) { bytes[index] ^= 0x5A }
        try writeBytes(bytes, to: path)

        let error = nifTIError { _ = try NIfTIImage.read(path: path) }
        // Damage that makes the deflate stream end early reads as truncation: zlib reports both
        // the same way through znz.
        switch error {
        case .corruptCompression(path, _)?, .truncated(path, _, _)?: break
        default: Issue.record("expected corruptCompression or truncated, got \(String(describing: error))")
        }
    }

    @Test func truncatedHeader() throws {
        let scratch = try ScratchDirectory()
        let path = try writeRamp("header.nii.gz", in: scratch)
        try writeBytes(Array(try readBytes(path).prefix(60)), to: path)

        let error = nifTIError { _ = try NIfTIImage.readHeader(path: path) }
        #expect(error?.description.hasPrefix("\(path): ") == true)
    }

    @Test func writingIntoAMissingDirectoryFails() throws {
        let image = NIfTIImage(header: NIfTIHeader(dimensions: [1, 1, 1], datatype: .uint8), uint8: [1])
        let path = "/nonexistent/out.nii.gz"
        let error = nifTIError { try image.write(to: path) }
        guard case .writeFailed(path, _)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
    }

    @Test func writingTooFewVoxelsFails() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("short.nii")
        let image = NIfTIImage(header: NIfTIHeader(dimensions: [2, 2, 2], datatype: .float32), float32: [1, 2, 3])
        let error = nifTIError { try image.write(to: path) }
        #expect(error == .writeFailed(path: path, reason: "3 voxels do not fill dimensions [2, 2, 2]"))
    }

    @Test func nifti1DimensionLimit() throws {
        let scratch = try ScratchDirectory()
        let header = NIfTIHeader(dimensions: [40_000, 1, 1], datatype: .uint8)
        let image = NIfTIImage(header: header, uint8: Array(repeating: 0, count: 40_000))
        #expect(nifTIError { try image.write(to: scratch.path("wide.nii")) } != nil)
        try image.write(to: scratch.path("wide.nii"), version: 2)
        let wide = try NIfTIImage.readHeader(path: scratch.path("wide.nii"))
        #expect(wide.dimensions == [40_000, 1, 1])
        #expect(wide.version == 2)
    }
}

@Suite("NIfTI values")
struct ValueTests {
    @Test func integerLabelsRejectFractionsNamingTheFileAndVoxel() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("labels.nii.gz")
        let header = NIfTIHeader(dimensions: [2, 2, 2], datatype: .float32)
        try NIfTIImage(header: header, float32: [0, 1, 2, 3, 4, 1.5, 6, 7]).write(to: path)

        let error = nifTIError { _ = try NIfTIImage.read(path: path).integerLabels() }
        #expect(error == .notIntegerLabels(path: path, voxel: [1, 0, 1], value: 1.5))
        #expect(error?.description == "\(path): not an integer label volume: voxel (1, 0, 1) has value 1.5")
    }

    @Test func integerLabelsRejectNaN() {
        let image = NIfTIImage(header: NIfTIHeader(dimensions: [2, 1, 1], datatype: .float32), float32: [1, .nan])
        #expect(nifTIError { _ = try image.integerLabels() } != nil)
    }

    @Test func integerLabelsAcceptWholeFloats() throws {
        let image = NIfTIImage(header: NIfTIHeader(dimensions: [3, 1, 1], datatype: .float64), float64: [0, 246, 12])
        #expect(try image.integerLabels() == [0, 246, 12])
    }

    @Test func nonFiniteVoxelsAreCounted() {
        let image = NIfTIImage(
            header: NIfTIHeader(dimensions: [5, 1, 1], datatype: .float32), float32: [1, .nan, .infinity, -.infinity, 2])
        #expect(image.nonFiniteCount() == 3)
    }

    @Test func headerDatatypeFollowsTheVoxels() {
        let image = NIfTIImage(header: NIfTIHeader(dimensions: [1, 1, 1], datatype: .uint8), int32: [5])
        #expect(image.header.datatype == .int32)
        #expect(image.voxels(as: UInt8.self) == nil)
    }
}
