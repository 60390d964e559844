import DTBTestSupport
import Foundation
import Ingest
import Jobs
import Assimilation
import Postgres
import SampleSubjects
import Services
import Store
import TwinBuilder
import Twins

/// The twin every worker test starts from: the sample subject's, small, version 1.
let sampleTwin = "sample-brainnetome246"

extension IngestedSubject {
    /// Builds version 1 of ``sampleTwin`` (4,000 neurons, K = 10: quick to build again).
    func buildTwin() throws {
        let parameters = BuildParameters(neurons: 4_000, meanInDegree: 10, seed: 1)
        _ = try TwinRegistry(database: database).build(TwinBuildRequest(subject: label, atlas: "brainnetome246", parameters: parameters))
    }

    /// A second session with another SV2A map (new anatomy, no BOLD), ingested on `connection`'s
    /// database: it commits a `subject_data` notification with modalities anat, dwi, pet.
    func ingestNewAnatomy(on database: Database? = nil) throws {
        try writeSession("02", suvrScale: 1.2)
        _ = try SubjectIngester(database: database ?? self.database).ingest(root: root)
    }

    /// The twin's version numbers.
    func versions() throws -> [Int] {
        try database.connection.query("""
            SELECT v.version FROM twin_version v JOIN twin t ON t.id = v.twin_id WHERE t.name = $1 ORDER BY v.version
            """, [sampleTwin]).compactMap { $0[0].int }
    }
}

/// A throwaway payload for queue tests.
struct TestPayload: Codable, Sendable { var n: Int }

/// A plain request: kind build, key `test:<n>`.
func testRequest(_ n: Int, dependsOn: JobRequest.Dependency? = nil, maxAttempts: Int = 3) throws -> JobRequest {
    try JobRequest(kind: .build, key: "test:\(n)", payload: TestPayload(n: n), dependsOn: dependsOn, maxAttempts: maxAttempts)
}

/// Values written by several threads.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func with<R>(_ body: (inout Value) throws -> R) rethrows -> R { try lock.withLock { try body(&value) } }
    var current: Value { lock.withLock { value } }
}

/// Waits (suspended, up to `seconds`) until `condition` holds; false when it never did.
func eventually(seconds: Double = 180, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try condition()
}

extension IngestedSubject {
    /// A 12-frame rest run in `session` made by the ground-truth twin (version 1 with the sample's
    /// known h(t)), ingested: it commits a `subject_data` notification with modality func.
    func ingestGroundTruthRun(session: String, seed: UInt64) throws {
        let truth = SampleRuns(network: try TwinRunner(database: database).network(TwinReference(twin: sampleTwin, version: 1)))
        let run = SampleRuns.Run(session: session, task: "rest", frames: 12, seed: seed)
        try truth.write(run, subject: label, atlas: "brainnetome246", into: root, threads: 2)
        _ = try SubjectIngester(database: database).ingest(root: root)
    }
}

/// The standard handlers with a quick first fit (4 members, raw observation, 2 s warm-up).
var quickHandlers: JobHandlers {
    var first = AssimilateJobHandler.FirstFit()
    first.members = 4
    first.observation = .raw
    first.warmupSeconds = 2
    return JobHandlers.standard(firstFit: first, threads: 2)
}
