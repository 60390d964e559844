import DTBTestSupport
import Foundation
import Postgres
import Store
import Testing
import TwinBuilder
import Twins

/// Every refused build names its cause in one line and leaves tables and files as they were.
@Suite(.requires(.atlasMirror))
struct TwinBadInputTests {
    func expectRefused(_ subject: IngestedSubject, containing text: String, _ body: () throws -> Void) throws {
        let before = try tableCounts(subject.database.connection)
        let files = storedTwinFiles(subject.database)
        do {
            try body()
            Issue.record("expected an error containing \(text)")
        } catch {
            let message = String(describing: error)
            #expect(message.contains(text), "\(message)")
            #expect(!message.contains("\n"))
        }
        #expect(try tableCounts(subject.database.connection) == before)
        #expect(storedTwinFiles(subject.database) == files)
    }

    @Test func unknownSubjectAtlasAndVersion() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        try expectRefused(subject, containing: "subject 'nobody' does not exist (known: sample)") {
            _ = try subject.build(subject: "nobody")
        }
        try expectRefused(subject, containing: "atlas") { _ = try subject.build(atlas: "aal116") }
        _ = try subject.build()
        try expectRefused(subject, containing: "has no version 4 (versions 1–1)") {
            _ = try TwinQueries(database: subject.database).version(TwinReference(parsing: "sample-brainnetome246@4"))
        }
        try expectRefused(subject, containing: "twin 'other' does not exist (known: sample-brainnetome246)") {
            _ = try TwinQueries(database: subject.database).history("other")
        }
    }

    @Test func missingModalityNeedsANamedFallback() async throws {
        let subject = try await PreparedDatabases.sampleSubject(dropping: ["desc-suvr_pet"])
        try expectRefused(subject, containing: "SV2A PET (246 of 246 units) is missing for this subject; name a fallback") {
            _ = try subject.build()
        }
        let outcome = try subject.build(sv2a: .uniform)
        #expect(outcome.fallbacks.sv2a == .uniform)
        let info = try TwinQueries(database: subject.database).version(TwinReference(twin: outcome.twin))
        #expect(info.parameters.sv2aFallback == .uniform)
        #expect(!info.inputs.contains { $0.role == .synapticDensity })
    }

    @Test func tooFewNeuronsAndTooLargeInDegree() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        try expectRefused(subject, containing: "N = 500 neurons is too few") { _ = try subject.build(neurons: 500) }
        try expectRefused(subject, containing: "distinct presynaptic neurons but only") { _ = try subject.build(neurons: 4_000, degree: 5_000) }
        _ = try subject.build()
        try expectRefused(subject, containing: "--seconds 0.1 is shorter than one TR") {
            _ = try TwinRunner(database: subject.database)
                .run(TwinRunRequest(version: TwinReference(twin: "sample-brainnetome246"), seconds: 0.1, repetitionTime: 2))
        }
    }

    @Test func concurrentBuildsOfOneTwinBecomeDistinctVersions() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let databases = try (0..<2).map { _ in
            try Database(connection: try TestDatabase.connect(to: subject.database), home: subject.database.home,
                     origin: subject.database.origin)
        }
        let lock = NSLock()
        nonisolated(unsafe) var outcomes: [Int: Result<TwinBuildOutcome, any Error>] = [:]
        nonisolated(unsafe) let shared = databases
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let parameters = BuildParameters(neurons: 20_000, meanInDegree: 50, seed: UInt64(100 + i))
            let outcome = Result {
                try TwinRegistry(database: shared[i]).build(TwinBuildRequest(subject: "sample", atlas: "brainnetome246", parameters: parameters))
            }
            lock.withLock { outcomes[i] = outcome }
        }
        let versions = try (0..<2).map { try outcomes[$0]!.get().version }
        #expect(versions.sorted() == [1, 2])
        let history = try TwinQueries(database: subject.database).history("sample-brainnetome246")
        #expect(history.versions.map(\.parent) == [nil, 1])
        for version in history.versions {
            _ = try TwinRunner(database: subject.database).network(TwinReference(twin: "sample-brainnetome246", version: version.version))
        }
    }
}

/// The schema keeps versions immutable whatever a client does.
@Suite(.requires(.atlasMirror))
struct TwinVersionImmutabilityTests {
    @Test func aVersionCannotBeRewrittenOrDeletedOnlyItsStatusChanges() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        _ = try subject.build()
        let connection = subject.database.connection
        for statement in ["UPDATE twin_version SET neurons = 1", "UPDATE twin_version SET seed = 12", "DELETE FROM twin_version"] {
            #expect(throws: (any Error).self) { try connection.execute(statement) }
        }
        try connection.execute("UPDATE twin_version SET status = 'failed'")
        #expect(try connection.query("SELECT status FROM twin_version").scalar().string == "failed")
    }
}
