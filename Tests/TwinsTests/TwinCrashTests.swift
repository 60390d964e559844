import DTBTestSupport
import Foundation
import Testing
import Twins

@Suite(.requires(.atlasMirror, .dtbExecutable))
struct TwinCrashTests {
    /// `kill -9` of `dtb twin build` with its version rows inserted and its SONATA files moved into
    /// place, before the commit: no twin, no version, every recorded file intact, and the same
    /// build then succeeds as version 1.
    @Test func killDuringBuildLeavesNoVersion() async throws {
        let subject = try await PreparedDatabases.sampleSubject()
        let before = try tableCounts(subject.database.connection)
        let arguments = ["twin", "build", "sample", "--atlas", "brainnetome246", "--neurons", "20000", "--degree", "50", "--seed", "11"]
        #expect(try killBeforeCommit(arguments, database: subject.database, expected: before) == before)
        try verifyRecordedFiles(subject.database)
        let outcome = try subject.build(neurons: 20_000, degree: 50, seed: 11)
        #expect(outcome.version == 1 && outcome.action == .created)
    }
}
