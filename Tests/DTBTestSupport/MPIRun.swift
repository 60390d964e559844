import Foundation
import Testing

/// `mpirun` as the tests launch it: `--oversubscribe` (more ranks than this machine's cores) and,
/// as root (containers, CI), `--allow-run-as-root`, which Open MPI otherwise refuses.
public enum MPIRun {
    /// mpirun's arguments before the program.
    public static func arguments(ranks: Int) -> [String] {
        ["-np", String(ranks), "--oversubscribe"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
    }

    /// Runs `program arguments` on `ranks` ranks with `environment` added to this process's; with
    /// `killOnStandardErrorLine`, mpirun and the ranks (its process group) get `SIGKILL` at the
    /// first line it accepts (see ``ChildProcess/run(executable:arguments:environment:stdin:timeout:killOnStandardErrorLine:)``).
    public static func run(ranks: Int, _ program: [String], environment: [String: String] = [:],
                    timeout: Duration = .seconds(300), killOnStandardErrorLine: ((Substring) -> Bool)? = nil) throws -> ChildProcess.Outcome {
        let mpirun = try #require(Prerequisites.mpirun)
        return try ChildProcess.run(executable: mpirun, arguments: arguments(ranks: ranks) + program,
                                    environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, timeout: timeout,
                                    killOnStandardErrorLine: killOnStandardErrorLine)
    }
}
