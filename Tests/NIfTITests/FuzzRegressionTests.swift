import DTBTestSupport
import Foundation
import NIfTI
import Testing

/// The NIfTI fuzzer's seeds and crash inputs (``FuzzInputs``), read as the fuzzer reads them:
/// each must read or be refused with a ``NIfTIError``, never trap.
@Suite struct NIfTIFuzzRegressionTests {
    static let inputs = FuzzInputs.files(of: "nifti")

    @Test func theSeedsAreThere() {
        #expect(Self.inputs.map(\.lastPathComponent).contains("labels-3d.nii.gz"))
        #expect(Self.inputs.map(\.lastPathComponent).contains("series-4d.nii"))
    }

    @Test(arguments: inputs) func readsOrRefuses(_ input: URL) throws {
        do {
            let image = try NIfTIImage.read(path: input.path)
            var reader = try NIfTIVolumeReader(path: input.path)
            var volume: [Float] = [], streamed: [Float] = []
            while try reader.nextVolume(into: &volume) { streamed += volume }
            #expect(streamed == image.floatValues())
        } catch is NIfTIError {
            // Refused with a message: what a damaged input should get.
        }
    }

    /// Known answers for the two seeds (written by scripts/fuzz/make-seeds.py).
    @Test func seedsReadAsWritten() throws {
        let labels = try NIfTIImage.read(path: try #require(Self.inputs.first { $0.lastPathComponent == "labels-3d.nii.gz" }).path)
        #expect(labels.header.dimensions == [6, 5, 4])
        #expect(Set(try labels.integerLabels()) == [0, 1, 2, 3])
        let series = try NIfTIImage.read(path: try #require(Self.inputs.first { $0.lastPathComponent == "series-4d.nii" }).path)
        #expect(series.header.dimensions == [6, 5, 4, 2])
        #expect(series.values().reduce(0, +) == Double((0..<240).reduce(0, +)))
    }
}
