import Foundation
import Testing

/// The reference values made by scripts/make-analysis-fixtures.py (see Fixtures/README.md).
enum ScipyFixture {
    /// One `scipy.signal.welch` call: its input, arguments (nil = scipy's default) and output.
    struct WelchCase: Decodable {
        var name: String
        var signal: [Double]
        var samplingRate: Double
        var segmentLength: Int?
        var overlap: Int?
        var frequencies: [Double]
        var density: [Double]
    }

    /// One `scipy.signal.hilbert` call.
    struct HilbertCase: Decodable {
        var signal: [Double]
        var real: [Double]
        var imaginary: [Double]
    }

    /// A fixture file's cases.
    struct File<Case: Decodable>: Decodable {
        var library: String
        var cases: [Case]
    }

    /// The cases of `Fixtures/<name>`.
    static func load<Case: Decodable>(_ name: String, as _: Case.Type) throws -> [Case] {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(File<Case>.self, from: Data(contentsOf: folder.appendingPathComponent(name))).cases
    }
}

/// The largest |a − b| / max(|b|, tiny) over paired entries; infinity when the lengths differ.
func maxRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? 0
}
