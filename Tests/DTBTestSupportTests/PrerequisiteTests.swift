import DTBTestSupport
import Foundation
import Testing

@Suite struct PrerequisiteTests {
    /// This test bundle again, on one suite that needs the atlas mirror, with the mirror hidden:
    /// the suite shows as skipped, naming the mirror; with `DTB_REQUIRE_PREREQUISITES=1` it fails.
    @Test(arguments: [false, true])
    func aMissingPrerequisiteIsASkipOrWhenRequiredAFailure(required: Bool) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["DTB_SHARED"] = "/nonexistent/shared"
        environment[Prerequisites.requirementVariable] = required ? "1" : "0"
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0])
        let outcome = try ChildProcess.run(executable: bundle, arguments: ["--testing-library", "swift-testing", "--filter", "AtlasFileTests"],
                                           environment: environment, timeout: .seconds(120))
        let output = outcome.stdout + outcome.stderr
        #expect(output.contains(Prerequisite.atlasMirror.absence), "\(output)")
        if required {
            #expect(outcome.status != 0)
            #expect(output.contains("DTB_REQUIRE_PREREQUISITES=1 but \(Prerequisite.atlasMirror.absence)"), "\(output)")
        } else {
            #expect(outcome.status == 0)
            #expect(output.contains("skipped"), "\(output)")
        }
    }

    /// CI (`.ci/run`) sets `DTB_REQUIRE_PREREQUISITES=1`: there, everything must be present.
    @Test func everyPrerequisiteIsPresentWhereRequired() {
        let absent = Prerequisite.allCases.filter { $0.location == nil }
        #expect(!Prerequisites.areRequired || absent.isEmpty, "\(absent.map(\.absence))")
    }
}
