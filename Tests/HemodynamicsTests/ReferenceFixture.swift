import Foundation
import Testing
import Hemodynamics

/// A step response made by scripts/make-bold-fixture.py (see Fixtures/README.md).
struct ReferenceFixture: Decodable {
    struct Input: Decodable {
        var amplitude: Double
        var onset: Double
        var offset: Double
        var end: Double
    }

    var parameters: BalloonWindkesselParameters
    var input: Input
    var initialState: BalloonState
    var columns: [String]
    var rows: [[Double]]

    static func load(preset: String) throws -> ReferenceFixture {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: folder.appendingPathComponent("step-response-\(preset).json"))
        return try JSONDecoder().decode(ReferenceFixture.self, from: data)
    }

    /// The reference values of one column (t, z, s, f, v, q or bold), one per sample.
    func column(_ name: String) throws -> [Double] {
        let index = try #require(columns.firstIndex(of: name))
        return rows.map { $0[index] }
    }

    /// Seconds between samples.
    var sampleInterval: Double { rows[1][0] - rows[0][0] }
}

/// The largest |a − b| over paired entries.
func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
