import DTBTestSupport
import Foundation
import Testing

@Suite struct ChildProcessTests {
    private let shell = URL(fileURLWithPath: "/bin/sh")

    /// Far more than a pipe holds (64 KiB) on both streams, stderr first and last: a runner that
    /// read one stream to its end before the other would wait for ever, so a deadline turns that into a failure.
    @Test func megabytesOnBothStreamsDoNotDeadlock() throws {
        let script = "head -c 1200000 /dev/zero | tr '\\0' e >&2; head -c 1300000 /dev/zero | tr '\\0' o; head -c 100000 /dev/zero | tr '\\0' f >&2"
        let outcome = try ChildProcess.run(executable: shell, arguments: ["-c", script], timeout: .seconds(60))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout.utf8.count == 1_300_000 && outcome.stdout.allSatisfy { $0 == "o" })
        #expect(outcome.stderr.utf8.count == 1_300_000)
        #expect(outcome.stderr.prefix(1_200_000).allSatisfy { $0 == "e" } && outcome.stderr.dropFirst(1_200_000).allSatisfy { $0 == "f" })
    }

    @Test func exitStatusStandardInputAndEnvironment() throws {
        let outcome = try ChildProcess.run(executable: shell, arguments: ["-c", "cat; printf \"$GREETING\" >&2; exit 3"],
                                           environment: ["GREETING": "hello"], stdin: Data("from stdin".utf8))
        #expect(outcome.termination == .exited(3) && outcome.status == 3)
        #expect(outcome.stdout == "from stdin")
        #expect(outcome.stderr == "hello")
    }

    /// What crash tests do: wait for a line on stderr, then `kill -9`; the child's own children
    /// (here `sleep`, which holds the pipes open too) go with it.
    @Test func killOnAStandardErrorLine() throws {
        let clock = ContinuousClock(), start = clock.now
        let outcome = try ChildProcess.run(executable: shell, arguments: ["-c", "echo working >&2; echo ready >&2; sleep 30; echo late"]) {
            $0 == "ready"
        }
        #expect(outcome.termination == .signalled(SIGKILL) && outcome.status == 137)
        #expect(outcome.stderr == "working\nready\n" && outcome.stdout.isEmpty)
        #expect(clock.now - start < .seconds(20))
    }

    @Test func aChildPastItsDeadlineIsKilledAndNamed() throws {
        let error = #expect(throws: ChildProcessError.self) {
            try ChildProcess.run(executable: shell, arguments: ["-c", "echo started >&2; sleep 30"], timeout: .milliseconds(500))
        }
        #expect(error?.description.hasPrefix("/bin/sh -c echo started >&2; sleep 30: still running after") == true)
        #expect(error?.description.contains("started") == true)
    }

    @Test func aMissingProgramIsNamed() throws {
        let error = #expect(throws: ChildProcessError.self) {
            try ChildProcess.run(executable: URL(fileURLWithPath: "/nonexistent/program"))
        }
        #expect(error?.description == "cannot run /nonexistent/program: No such file or directory")
    }
}
