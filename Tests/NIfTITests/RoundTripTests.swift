import NIfTI
import Testing

/// A flipped-x grid with unequal voxel sizes, the kind of affine MNI templates have.
private let mniLikeAffine: [[Double]] = [[-2, 0, 0, 90], [0, 2.5, 0, -126], [0, 0, 3, -72], [0, 0, 0, 1]]

private func integerSamples<T: FixedWidthInteger>(_ type: T.Type) -> [T] {
    (0..<22).map { T(truncatingIfNeeded: $0 * 37 - 300) } + [T.min, T.max]
}

private func floatSamples<T: BinaryFloatingPoint>(_ type: T.Type) -> [T] {
    (0..<22).map { T($0) * 0.25 - 3 } + [T.greatestFiniteMagnitude, -T.leastNormalMagnitude]
}

/// Writes `voxels` on a 4×3×2 grid and checks what comes back.
private func checkRoundTrip<T: NIfTIScalar & Equatable>(
    _ voxels: [T], toDouble: (T) -> Double, version: Int, suffix: String, in scratch: ScratchDirectory
) throws {
    let header = NIfTIHeader(dimensions: [4, 3, 2], datatype: T.niftiDataType, affine: mniLikeAffine, description: "round trip")
    let path = scratch.path("\(T.self)-v\(version)\(suffix)")
    try NIfTIImage(header: header, voxels: voxels).write(to: path, version: version)

    let image = try NIfTIImage.read(path: path)
    #expect(image.header.version == version)
    #expect(image.header.dimensions == [4, 3, 2])
    #expect(image.header.datatype == T.niftiDataType)
    #expect(isClose(image.header.pixdim, [2, 2.5, 3]))
    #expect(isClose(image.header.affine, mniLikeAffine))
    #expect(isClose(image.header.qform, mniLikeAffine))
    #expect(image.header.sformCode == 2 && image.header.qformCode == 2)
    #expect(image.header.spatialUnits == "mm" && image.header.temporalUnits == "s")
    #expect(image.header.description == "round trip")
    #expect(image.voxels(as: T.self) == voxels)
    #expect(image.values() == voxels.map(toDouble))
    #expect(image.path == path)
    #expect(try NIfTIImage.readHeader(path: path) == image.header)
}

@Suite("NIfTI round trips")
struct RoundTripTests {
    @Test("every datatype", arguments: [1, 2], [".nii", ".nii.gz"])
    func everyDatatype(version: Int, suffix: String) throws {
        let scratch = try ScratchDirectory()
        func check<T: NIfTIScalar & Equatable>(_ voxels: [T], _ toDouble: (T) -> Double) throws {
            try checkRoundTrip(voxels, toDouble: toDouble, version: version, suffix: suffix, in: scratch)
        }
        try check(integerSamples(UInt8.self)) { Double($0) }
        try check(integerSamples(Int8.self)) { Double($0) }
        try check(integerSamples(Int16.self)) { Double($0) }
        try check(integerSamples(UInt16.self)) { Double($0) }
        try check(integerSamples(Int32.self)) { Double($0) }
        try check(integerSamples(UInt32.self)) { Double($0) }
        try check(integerSamples(Int64.self)) { Double($0) }
        try check(integerSamples(UInt64.self)) { Double($0) }
        try check(floatSamples(Float.self)) { Double($0) }
        try check(floatSamples(Double.self)) { $0 }
    }

    @Test func fourDimensionalWithRepetitionTime() throws {
        let scratch = try ScratchDirectory()
        var header = NIfTIHeader(dimensions: [3, 2, 2, 5], datatype: .float32, pixdim: [2, 2, 2, 0.8], temporalUnits: "ms")
        header.affine = [[2, 0, 0, -10], [0, 2, 0, -20], [0, 0, 2, -30], [0, 0, 0, 1]]
        let voxels = (0..<60).map { Float($0) }
        let path = scratch.path("bold.nii.gz")
        try NIfTIImage(header: header, float32: voxels).write(to: path)

        let read = try NIfTIImage.readHeader(path: path)
        #expect(read.dimensions == [3, 2, 2, 5])
        #expect(read.voxelCount == 12 && read.volumeCount == 5)
        #expect(isClose(read.pixdim, [2, 2, 2, 0.8]))
        #expect(read.temporalUnits == "ms")
    }

    @Test func sclSlopeAndInterceptAreApplied() throws {
        let scratch = try ScratchDirectory()
        let header = NIfTIHeader(dimensions: [2, 2, 1], datatype: .int16, sclSlope: 0.5, sclInter: 10)
        let path = scratch.path("scaled.nii")
        try NIfTIImage(header: header, int16: [0, 1, -4, 100]).write(to: path)

        let image = try NIfTIImage.read(path: path)
        #expect(image.header.sclSlope == 0.5 && image.header.sclInter == 10)
        #expect(image.values() == [10, 10.5, 8, 60])
        #expect(image.floatValues() == [10, 10.5, 8, 60])
        #expect(image.voxels(as: Int16.self) == [0, 1, -4, 100])
    }

    @Test func zeroSlopeMeansUnscaled() throws {
        let header = NIfTIHeader(dimensions: [3, 1, 1], datatype: .uint8, sclSlope: 0, sclInter: 7)
        #expect(NIfTIImage(header: header, uint8: [1, 2, 3]).values() == [1, 2, 3])
    }

    @Test func sformWinsOverQform() throws {
        let scratch = try ScratchDirectory()
        let sheared: [[Double]] = [[1, 0.2, 0, 5], [0, 1, 0, 6], [0, 0, 1, 7], [0, 0, 0, 1]]
        var header = NIfTIHeader(dimensions: [2, 2, 2], datatype: .float32)
        header.sform = sheared
        header.sformCode = 4
        header.qform = mniLikeAffine
        header.qformCode = 1
        let path = scratch.path("sform.nii")
        try NIfTIImage(header: header, float32: Array(repeating: 0, count: 8)).write(to: path)

        let read = try NIfTIImage.readHeader(path: path)
        #expect(read.sformCode == 4 && read.qformCode == 1)
        #expect(isClose(read.affine, sheared))
        #expect(isClose(read.qform, mniLikeAffine))
    }

    @Test func withoutTransformsTheAffineIsThePixdimScaling() throws {
        let scratch = try ScratchDirectory()
        let header = NIfTIHeader(dimensions: [2, 2, 2], datatype: .uint8, pixdim: [1.5, 2, 2.5])
        let path = scratch.path("plain.nii")
        try NIfTIImage(header: header, uint8: Array(repeating: 1, count: 8)).write(to: path)

        let read = try NIfTIImage.readHeader(path: path)
        #expect(read.sformCode == 0 && read.qformCode == 0)
        #expect(isClose(read.affine, [[1.5, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2.5, 0], [0, 0, 0, 1]]))
    }
}
