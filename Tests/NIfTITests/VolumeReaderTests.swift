import NIfTI
import Testing

@Suite("NIfTI volume streaming")
struct VolumeReaderTests {
    private static let dims = [6, 5, 4, 7]

    private func writeSeries(_ name: String, in scratch: ScratchDirectory) throws -> String {
        let header = NIfTIHeader(dimensions: Self.dims, datatype: .int16, sclSlope: 0.25, sclInter: -3)
        let voxels = (0..<(120 * 7)).map { Int16($0 % 500 - 250) }
        let path = scratch.path(name)
        try NIfTIImage(header: header, int16: voxels).write(to: path)
        return path
    }

    @Test("volumes match a full read", arguments: ["series.nii", "series.nii.gz"])
    func volumesMatchFullRead(name: String) throws {
        let scratch = try ScratchDirectory()
        let path = try writeSeries(name, in: scratch)
        var reader = try NIfTIVolumeReader(path: path)
        #expect(reader.header.dimensions == Self.dims)
        #expect(reader.volumeCount == 7)

        var volume: [Float] = []
        var streamed: [Float] = []
        while try reader.nextVolume(into: &volume) {
            #expect(volume.count == 120)
            streamed += volume
        }
        #expect(streamed == (try NIfTIImage.read(path: path).floatValues()))
        #expect(try reader.nextVolume(into: &volume) == false)
    }

    @Test func threeDimensionalImageIsOneVolume() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("t1.nii")
        try NIfTIImage(header: NIfTIHeader(dimensions: [2, 2, 2], datatype: .uint8), uint8: Array(1...8)).write(to: path)
        var reader = try NIfTIVolumeReader(path: path)
        var volume: [Float] = []
        #expect(try reader.nextVolume(into: &volume))
        #expect(volume == (1...8).map(Float.init))
        #expect(try reader.nextVolume(into: &volume) == false)
    }

    @Test func truncationNamesTheVolume() throws {
        let scratch = try ScratchDirectory()
        let path = try writeSeries("cut.nii", in: scratch)
        // Keep the header and three and a half volumes of 240 bytes.
        try writeBytes(Array(try readBytes(path).prefix(352 + 240 * 3 + 120)), to: path)

        var reader = try NIfTIVolumeReader(path: path)
        var volume: [Float] = []
        for _ in 0..<3 { #expect(try reader.nextVolume(into: &volume)) }
        let error = nifTIError { _ = try reader.nextVolume(into: &volume) }
        #expect(error == .truncatedVolume(path: path, volume: 4, volumeCount: 7, expectedBytes: 240, foundBytes: 120))
        #expect(error?.description == "\(path): truncated at volume 4 of 7: expected 240 bytes, found 120")
    }

    @Test func truncatedGzipSeriesFailsPartWay() throws {
        let scratch = try ScratchDirectory()
        let path = try writeSeries("cut.nii.gz", in: scratch)
        let bytes = try readBytes(path)
        try writeBytes(Array(bytes.prefix(bytes.count * 2 / 3)), to: path)

        var reader = try NIfTIVolumeReader(path: path)
        var volume: [Float] = []
        let error = nifTIError { while try reader.nextVolume(into: &volume) {} }
        guard case .truncatedVolume(path, let index, 7, 240, _)? = error else {
            Issue.record("expected truncatedVolume, got \(String(describing: error))")
            return
        }
        #expect(index > 1 && index <= 7)
    }
}
