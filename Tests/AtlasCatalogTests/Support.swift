import AtlasCatalog
import DTBTestSupport
import Foundation
import NIfTI
import Store
import Testing

/// The shared atlas mirror (tests that call this declare `.requires(.atlasMirror)`).
func atlasMirror() throws -> URL { try #require(Prerequisites.atlasMirror) }

/// A scratch directory for one test's input files.
func scratchDirectory() throws -> URL {
    let url = TestDatabase.root.appendingPathComponent("inputs-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A 6×5×4 label volume at 2 mm with labels 1…3 in known places (label 1: 40 voxels, 2: 30, 3: 20).
func syntheticLabels(extraLabel: Int16? = nil) -> [Int16] {
    (0..<120).map { index -> Int16 in
        if index < 40 { return 1 }
        if index < 70 { return 2 }
        if index < 90 { return 3 }
        if let extraLabel, index == 119 { return extraLabel }
        return 0
    }
}

func writeLabelVolume(_ labels: [Int16], to url: URL) throws {
    let affine: [[Double]] = [[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]]
    let header = NIfTIHeader(dimensions: [6, 5, 4], datatype: .int16, affine: affine)
    try NIfTIImage(header: header, int16: labels).write(to: url.path)
}

func writeTable(_ text: String, to url: URL) throws {
    try text.write(to: url, atomically: true, encoding: .utf8)
}

/// Files under the data home's `files/` directory (what the database may point to).
func storedFiles(_ database: Database) -> [String] {
    let root = database.home.files
    let enumerator = FileManager.default.enumerator(atPath: root.path)
    return (enumerator?.allObjects as? [String] ?? []).filter { !$0.hasPrefix(".staging") && $0.hasSuffix(".h5") }.sorted()
}
