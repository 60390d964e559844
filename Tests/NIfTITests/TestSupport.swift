import Foundation
import NIfTI
import Testing

/// A temporary directory that disappears with the test.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("nifti-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

func isClose(_ a: [[Double]], _ b: [[Double]], tolerance: Double = 1e-4) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { rowA, rowB in
        rowA.count == rowB.count && zip(rowA, rowB).allSatisfy { abs($0 - $1) <= tolerance }
    }
}

func isClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-4) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

/// The error `body` throws, as a `NIfTIError` (failing the test when it throws nothing or something else).
func nifTIError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> NIfTIError? {
    do {
        try body()
        Issue.record("expected a NIfTIError, got none", sourceLocation: sourceLocation)
    } catch let error as NIfTIError {
        return error
    } catch {
        Issue.record("expected a NIfTIError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func readBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

func writeBytes(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

/// A NIfTI-1 file built byte by byte, independent of the code under test, so reading is checked
/// against the format itself (quaternions, byte order, datatypes libnifti knows but we don't).
struct HandMadeNIfTI1 {
    var dims: [Int16] = [3, 2, 2, 2, 1, 1, 1, 1]
    var datatype: Int16 = 4
    var bitpix: Int16 = 16
    var pixdim: [Float] = [1, 2, 3, 4, 1, 1, 1, 1]   // pixdim[0] is qfac
    var quaternion: (b: Float, c: Float, d: Float) = (0, 0, 0)
    var offset: (x: Float, y: Float, z: Float) = (0, 0, 0)
    var qformCode: Int16 = 1
    var sformCode: Int16 = 0
    var xyztUnits: UInt8 = 2 | 8
    var sclSlope: Float = 0
    var sclInter: Float = 0
    var bigEndian = false

    func bytes(voxels: [Int16]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 352)
        put(Int32(348), at: 0, in: &out)
        for (i, d) in dims.enumerated() { put(d, at: 40 + 2 * i, in: &out) }
        put(datatype, at: 70, in: &out)
        put(bitpix, at: 72, in: &out)
        for (i, p) in pixdim.enumerated() { put(p.bitPattern, at: 76 + 4 * i, in: &out) }
        put(Float(352).bitPattern, at: 108, in: &out)
        put(sclSlope.bitPattern, at: 112, in: &out)
        put(sclInter.bitPattern, at: 116, in: &out)
        out[123] = xyztUnits
        put(qformCode, at: 252, in: &out)
        put(sformCode, at: 254, in: &out)
        let quatern = [quaternion.b, quaternion.c, quaternion.d, offset.x, offset.y, offset.z]
        for (i, q) in quatern.enumerated() { put(q.bitPattern, at: 256 + 4 * i, in: &out) }
        out.replaceSubrange(344..<348, with: Array("n+1\0".utf8))
        for voxel in voxels { out += withUnsafeBytes(of: bigEndian ? voxel.bigEndian : voxel.littleEndian, Array.init) }
        return out
    }

    private func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        bytes.replaceSubrange(offset..<(offset + MemoryLayout<T>.size), with: withUnsafeBytes(of: ordered, Array.init))
    }
}
