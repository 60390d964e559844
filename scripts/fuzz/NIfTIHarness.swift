// libFuzzer entry point for the NIfTI header and voxel reader (built by scripts/fuzz.sh together
// with Sources/NIfTI, never by the package build). Each input is written to a file — `.nii.gz`
// when it starts with the gzip magic, else `.nii` — and read whole and volume by volume; errors
// are the expected outcome, a trap or a sanitizer report is a finding.
import Foundation

private let scratch = "/tmp/dtb-fuzz-nifti-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNIfTI(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let path = scratch + (bytes.starts(with: [0x1f, 0x8b]) ? ".nii.gz" : ".nii")
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { return 0 }
    defer { unlink(path) }
    if let image = try? NIfTIImage.read(path: path) {
        _ = image.floatValues()
        _ = image.nonFiniteCount()
        _ = try? image.integerLabels()
    }
    if var reader = try? NIfTIVolumeReader(path: path) {
        var volume: [Float] = []
        while (try? reader.nextVolume(into: &volume)) == true {}
    }
    return 0
}
