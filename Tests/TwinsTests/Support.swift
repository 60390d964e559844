import DTBTestSupport
import Ingest
import SampleSubjects
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

extension IngestedSubject {
    /// Writes a rest run of `frames` frames made by the ground-truth twin (`twin`'s version run with
    /// the sample's known h(t)) into session `session`, ingests it, and returns its measure id.
    func groundTruthRun(twin: TwinReference, frames: Int, session: String = "01", seed: UInt64 = 101) throws -> Int {
        try groundTruthRun(twin: twin, SampleRuns.Run(session: session, task: "rest", frames: frames, seed: seed))
    }

    /// Writes and ingests `run` (a rest or task run) made by the ground-truth twin; returns its measure id.
    func groundTruthRun(twin: TwinReference, _ run: SampleRuns.Run) throws -> Int {
        let session = run.session
        let truth = SampleRuns(network: try TwinRunner(database: database).network(twin))
        try truth.write(run, subject: label, atlas: "brainnetome246", into: root, threads: 2)
        _ = try SubjectIngester(database: database).ingest(root: root)
        return try TwinQueries(database: database).boldMeasures(twin: twin.twin).last { $0.session == session }!.measure
    }

    /// A quick fit: 4 members, raw observation, 2 s warm-up, checkpoints every 2 frames.
    func quickFit(_ twin: TwinReference, measure: Int) -> TwinAssimilationRequest {
        var request = TwinAssimilationRequest(version: twin, measure: measure, threads: 2)
        request.members = 4
        request.observation = .raw
        request.warmupSeconds = 2
        request.checkpointEvery = 2
        return request
    }
}
