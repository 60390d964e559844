import DTBTestSupport
import Foundation
import Store
import Testing

/// One odd value of one option: the arguments, and the exit status the executable must give.
struct OddOption: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    /// 1: dtb's one-line `dtb: ` error; 64: ArgumentParser refused the value itself (`Error: `).
    var status: Int32

    var testDescription: String { "dtb " + arguments.joined(separator: " ") + " → \(status)" }
}

/// A database with Brainnetome-246, the sample subject and a small twin of it: the state every
/// odd value must leave as it was. A clone of the shared sample-subject database, made once for the suite.
final class SweepDatabase: @unchecked Sendable {
    static let twin = "sample-brainnetome246"
    static let shared = Task { try await SweepDatabase() }

    let database: Database
    let dtb: DTBCommand

    private init() async throws {
        database = try await PreparedDatabases.sampleSubject().database
        dtb = try DTBCommand(database: database)
        let built = try dtb.run(["twin", "build", "sample", "--atlas", "brainnetome246", "--neurons", "4000", "--degree", "10", "--seed", "1"])
        guard built.status == 0 else { throw SetupError(description: "the sweep's twin did not build: \(built.stderr)") }
    }

    /// Every table's row count; one test case at a time on the shared connection.
    func counts() throws -> [String: Int] {
        try lock.withLock { try tableCounts(database.connection) }
    }

    private let lock = NSLock()

    struct SetupError: Error, CustomStringConvertible { var description: String }
}

/// Every numeric option of every command with odd values (zero, negative, NaN, infinite, huge,
/// not a whole number of steps), run as the built executable since a trap is what is tested:
/// each must exit 1 with one `dtb: ` line (or 64 with ArgumentParser's one `Error: ` line), not
/// die of a signal, and leave the database as it was.
@Suite(.requires(.dtbExecutable, .atlasMirror))
struct OptionSweepTests {
    static let run = ["twin", "run", SweepDatabase.twin]
    static let build = ["twin", "build", "sample", "--atlas", "brainnetome246", "--seed", "1"]
    /// Measure 1 is not BOLD: each odd value must be refused before that is found out.
    static let assimilate = ["twin", "assimilate", SweepDatabase.twin, "--run", "1"]
    static let validate = ["twin", "validate", SweepDatabase.twin, "--run", "1"]

    static func odd(_ command: [String], _ option: String, _ values: [String], status: Int32 = 1) -> [OddOption] {
        values.map { OddOption(arguments: command + ["\(option)=\($0)"], status: status) }
    }

    /// Values that reach dtb's own checks (`--x=-1` passes a negative number as the value).
    static let cases: [OddOption] =
        odd(run, "--seconds", ["0", "-1", "nan", "inf", "1e300", "1e7"])
        + odd(run + ["--seconds", "2"], "--tr", ["0", "-1", "nan", "inf", "1e300", "1e-300", "0.0015", "1.0005", "3"])
        + odd(run + ["--seconds", "2"], "--threads", ["0", "-1", "100000", "9223372036854775807"])
        + odd(run + ["--seconds", "2"], "--checkpoint-every", ["-1", "nan", "inf", "-inf"])
        + odd(build, "--neurons", ["0", "-1", "4000000000", "9223372036854775807"])
        + odd(build + ["--neurons", "4000"], "--degree", ["-1", "nan", "inf", "1e300"])
        + odd(build + ["--neurons", "4000"], "--dt", ["0", "-1", "nan", "inf", "1e300", "1e-300", "0.001"])
        + odd(build + ["--neurons", "4000"], "--conduction-speed", ["0", "-1", "nan", "inf", "1e300", "1e-300"])
        + odd(build + ["--neurons", "4000", "--level", "voxel"], "--gm-threshold", ["-1", "nan", "inf", "1", "1e300"])
        + odd(build + ["--neurons", "4000"], "--sv2a-clip", ["nan,1", "0,1", "2,1", "inf,inf", "1e300", "-1,2"])
        + odd(["demo"], "--neurons", ["0", "-1", "4000000000"])
        + odd(["demo"], "--degree", ["-1", "nan", "1e300"])
        + odd(["demo"], "--members", ["0", "1", "100000"])
        + odd(["bench", "ingest"], "--volumes", ["0", "-1", "1", "40000", "9223372036854775807"])
        + odd(["bench", "build"], "--neurons", ["0", "-1", "4000000000"])
        + odd(["bench", "build"], "--degree", ["-1", "nan", "1e300"])
        + odd(["worker", "--once"], "--lease-seconds", ["0", "-1", "nan", "inf", "1e300", "0.5"])
        + odd(["worker", "--once"], "--poll-seconds", ["0", "-1", "nan", "inf", "1e300"])

    /// Values ArgumentParser refuses before dtb sees them: not numbers, out of the type's range,
    /// a bare negative number (read as an option).
    static let parserCases: [OddOption] =
        odd(run, "--seconds", ["x"], status: 64) + odd(run + ["--seconds", "2"], "--threads", ["9223372036854775808", "1.5"], status: 64)
        + odd(run + ["--seconds", "2"], "--seed", ["-1", "nan", "18446744073709551616"], status: 64)
        + odd(build, "--neurons", ["9223372036854775808", "nan"], status: 64)
        + odd(["jobs"], "--status", ["sleeping", ""], status: 64)
        + [OddOption(arguments: run + ["--seconds", "-1"], status: 64), OddOption(arguments: ["demo", "--neurons", "-5"], status: 64)]

    /// `dtb twin assimilate`, `dtb twin validate` and `dtb bench assimilate`.
    static let assimilationCases: [OddOption] =
        odd(assimilate, "--members", ["0", "1", "100000"]) + odd(assimilate, "--process-variance", ["nan", "-1", "inf"])
        + odd(assimilate, "--observation-variance", ["0", "nan", "-1"]) + odd(assimilate, "--local-weight", ["-0.1", "1.5", "nan"])
        + odd(assimilate, "--inflation", ["0.5", "nan", "1e300"]) + odd(assimilate, "--warmup", ["-1", "nan", "1e300"])
        + odd(assimilate, "--drop-frames", ["-1"]) + odd(assimilate, "--checkpoint-every", ["0", "-3"])
        + odd(assimilate, "--threads", ["0", "100000"]) + odd(assimilate, "--fit", ["bogus", "ext,ext", "ext,"])
        + odd(assimilate, "--bounds", ["ext=1:0", "ext=nan:1", "garbage", "ampa=0.5:2", "ext=0.1:0.1", "ext=-inf:1"])
        + odd(assimilate + ["--fit", "ampa"], "--bounds", ["ampa=-1:2"]) + odd(assimilate, "--observation", ["fancy"])
        + odd(assimilate, "--fit", [""], status: 64) + odd(assimilate, "--observation", [""], status: 64)
        + odd(assimilate, "--run", ["999999"]) + odd(validate, "--transient", ["-1", "100000"])
        + odd(validate, "--max-lag", ["-1", "100"]) + odd(validate, "--threads", ["0"]) + odd(validate, "--run", ["999999"])
        + odd(["bench", "assimilate"], "--members", ["1", "0", "5000"]) + odd(["bench", "assimilate"], "--neurons", ["10", "-1"])
        + odd(["bench", "assimilate"], "--frames", ["0", "100000"]) + odd(["bench", "assimilate"], "--warmup", ["nan", "-1", "1e9"])

    /// `dtb bench engine` (the engine benchmark, validated by the lead's rewrite).
    static let engineCases: [OddOption] =
        odd(["bench", "engine"], "--neurons", ["0", "-1", "999", "4000000000"]) + odd(["bench", "engine"], "--threads", ["0", "-1", "1000"])
        + odd(["bench", "engine"], "--seconds", ["nan", "0", "-1", "inf", "1e300"]) + odd(["bench", "engine"], "--warmup", ["nan", "-1"])
        + odd(["bench", "engine"], "--rate", ["nan", "-5", "1e9"]) + odd(["bench", "engine"], "--neurons-per-unit", ["0", "-3"])
        + odd(["bench", "engine"], "--excitatory-scale", ["nan", "-1"]) + odd(["bench", "engine"], "--inhibitory-scale", ["inf"])

    func expectRefused(_ odd: OddOption) async throws {
        let sweep = try await SweepDatabase.shared.value
        let before = try sweep.counts()
        let result = try sweep.dtb.run(odd.arguments)
        let lines = result.stderr.split(separator: "\n")
        #expect(result.status == odd.status, "stderr: \(result.stderr)")
        if odd.status == 1 {
            #expect(lines.filter { $0.hasPrefix("dtb: ") }.count == 1 && !lines.contains { $0.hasPrefix("Error: ") }, "stderr: \(result.stderr)")
        } else {
            #expect(lines.filter { $0.hasPrefix("Error: ") }.count == 1 && !lines.contains { $0.hasPrefix("dtb: ") }, "stderr: \(result.stderr)")
        }
        #expect(result.stdout.isEmpty)
        #expect(try sweep.counts() == before)
    }

    @Test(arguments: cases) func dtbRefusesTheValue(_ odd: OddOption) async throws { try await expectRefused(odd) }

    @Test(arguments: parserCases) func argumentParserRefusesTheValue(_ odd: OddOption) async throws { try await expectRefused(odd) }

    @Test(arguments: engineCases)
    func engineBenchRefusesTheValue(_ odd: OddOption) async throws { try await expectRefused(odd) }

    @Test(arguments: assimilationCases)
    func assimilationRefusesTheValue(_ odd: OddOption) async throws { try await expectRefused(odd) }
}
