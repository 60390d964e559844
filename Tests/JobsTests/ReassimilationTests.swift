import DTBTestSupport
import Foundation
import Jobs
import Services
import Testing
import Twins

/// New BOLD for a subject becomes validate → assimilate → validate, run by the worker: the old
/// version is validated against the new run, the fit is a new version, that version is
/// validated; a second session's run warm-starts its fit from the first fit's posterior.
@Suite(.requires(.atlasMirror)) struct ReassimilationTests {
    @Test func newBOLDIsValidatedAssimilatedAndValidatedAgain() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        try subject.buildTwin()
        try subject.ingestGroundTruthRun(session: "02", seed: 101)
        var options = WorkerOptions()
        options.once = true
        options.leaseSeconds = 60
        let first = try Worker(database: subject.database, options: options, handlers: quickHandlers) { _ in }.run()
        #expect(first.jobs.map(\.kind) == [.validate, .assimilate, .validate] && first.failed == 0)
        #expect(try subject.versions() == [1, 2])
        try subject.ingestGroundTruthRun(session: "03", seed: 202)
        let second = try Worker(database: subject.database, options: options, handlers: quickHandlers) { _ in }.run()
        #expect(second.jobs.map(\.kind) == [.validate, .assimilate, .validate] && second.failed == 0)
        #expect(try subject.versions() == [1, 2, 3])
        let history = try TwinQueries(database: subject.database).history(sampleTwin)
        #expect(history.versions.map(\.validations.count) == [1, 2, 1])
        #expect(history.versions[2].assimilation?.warmStart == 2 && history.versions[2].parent == 2)
        #expect(history.versions[1].validations.map(\.replay) == ["fitted", "mean"])
        // Nothing new: the same data never queues the same jobs again.
        let third = try Worker(database: subject.database, options: options, handlers: quickHandlers) { _ in }.run()
        #expect(third.jobs.isEmpty && third.planned == 0)
    }
}
