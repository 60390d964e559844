import DTBTestSupport
import Foundation
import Store
import TwinBuilder
import Twins

extension IngestedSubject {
    /// Builds a twin of the stored subject with the twin suites' usual parameters.
    func build(neurons: Int = 20_000, degree: Double = 50, seed: UInt64 = 11, clip: ClosedRange<Double>? = 0.7 ... 1.3,
               sv2a: SV2AFallback? = nil, subject: String = "sample", atlas: String = "brainnetome246") throws -> TwinBuildOutcome {
        let parameters = BuildParameters(neurons: neurons, meanInDegree: degree, seed: seed, sv2aClip: clip, sv2aFallback: sv2a)
        return try TwinRegistry(database: database).build(TwinBuildRequest(subject: subject, atlas: atlas, parameters: parameters))
    }
}

/// Stored twin/run files under the data home (staging excluded).
func storedTwinFiles(_ database: Database) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: database.home.files.path) else { return [] }
    return walker.compactMap { $0 as? String }
        .filter { ($0.hasPrefix("twins/") || $0.hasPrefix("runs/")) && ($0.hasSuffix(".h5") || $0.hasSuffix(".csv")) }.sorted()
}
