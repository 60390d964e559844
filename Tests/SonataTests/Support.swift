import Foundation
import Sonata
import Testing
import TwinBuilder

/// A deterministic synthetic subject like TwinBuilderTests' (16 cortical and 4 subcortical units
/// on a ring, distance-decaying DWI, tract lengths giving several delays), smaller.
enum Synthetic {
    static let unitCount = 20

    /// splitmix64 for test values.
    struct Mix {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) * 0x1p-53
        }
    }

    static func records(dwi: Bool = true) -> SubjectRecords {
        var mix = Mix(state: 2024)
        let units = (0..<unitCount).map { v -> UnitRecord in
            let angle = 2 * Double.pi * Double(v) / Double(unitCount)
            return UnitRecord(name: v < 2 ? "V1_\(v)" : "unit \(v)", kind: v < 16 ? .cortical : .subcortical,
                              grayMatterVolume: 1000 + 3000 * mix.next(),
                              sv2a: v < 2 ? 10 : 10 * (0.55 + 0.9 * mix.next()),
                              centroid: [60 * cos(angle), 60 * sin(angle), Double(v % 3) * 10])
        }
        let distance = units.map { a in units.map { b in
            zip(a.centroid!, b.centroid!).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() } }
        var density = distance.map { $0.map { 1000 * exp(-$0 / 30) } }
        for v in 0..<unitCount { for u in 0..<v { density[v][u] *= 0.3 + 1.4 * mix.next(); density[u][v] = density[v][u] } }
        return SubjectRecords(units: units, tractDensity: dwi ? density : nil,
                              tractLength: distance.map { $0.map { $0 * 1.3 } }, v1Units: ["V1_0", "V1_1"])
    }

    static func twin(neurons: Int = 3000, k: Double = 40, seed: UInt64 = 7, dwi: Bool = true) throws -> TwinNetwork {
        var p = BuildParameters(neurons: neurons, meanInDegree: k, seed: seed)
        if !dwi { p.dwiFallback = DWIFallback.none }
        return try TwinNetwork(records: records(dwi: dwi), parameters: p)
    }

    /// The main test twin: several long-range delay groups, unit names with spaces.
    static let main: TwinNetwork = try! twin()
}

/// A temporary directory that disappears with the test.
final class ScratchDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sonata-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func directory(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// The SonataError `body` throws (recording an issue when it throws nothing or something else).
func sonataError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> SonataError? {
    do {
        try body()
        Issue.record("expected a SonataError, got none", sourceLocation: sourceLocation)
    } catch let error as SonataError {
        return error
    } catch {
        Issue.record("expected a SonataError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
