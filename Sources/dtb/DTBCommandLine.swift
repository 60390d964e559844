import ArgumentParser
import MPIKit

/// `dtb` with its arguments, as the executable and the in-process command tests run it.
public enum DTBCommandLine {
    /// Parses `arguments` (without the program name), runs the command on ``Console/current`` and
    /// returns the exit status, writing help, usage errors and `dtb:` errors as the executable
    /// does (ArgumentParser's own `main` would write to the process's streams and exit).
    public static func run(_ arguments: [String]) -> Int32 {
        do {
            var command = try DTB.parseAsRoot(arguments)
            try command.run()
            return ExitCode.success.rawValue
        } catch {
            let status = DTB.exitCode(for: error)
            let message = DTB.fullMessage(for: error)
            // Every rank of an mpirun launch parses the same arguments: rank 0 alone says what is wrong.
            if !message.isEmpty && (MPIWorld.launchRank() ?? 0) == 0 {
                if status == .success { Console.print(message) } else { Console.current.error(message) }
            }
            return status.rawValue
        }
    }

    /// Ends what a command started for the whole process: MPI, when launched by mpirun (once,
    /// by the executable, after its one command).
    public static func finish() {
        MPIWorld.finish()
    }
}
