import Foundation
import Sonata
import Testing
import TwinBuilder
import TwinFixtures

/// Twins of the shared synthetic subject (TwinFixtures), with tract lengths giving several delay
/// groups and unit names with spaces.
enum SonataTwins {
    static func twin(neurons: Int = 3000, k: Double = 40, seed: UInt64 = 7, dwi: Bool = true) throws -> TwinNetwork {
        var p = BuildParameters(neurons: neurons, meanInDegree: k, seed: seed)
        if !dwi { p.dwiFallback = DWIFallback.none }
        return try TwinNetwork(records: Synthetic.records(dwi: dwi, lengths: true, spacedNames: true), parameters: p)
    }

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
