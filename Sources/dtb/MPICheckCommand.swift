import ArgumentParser
import MPIKit

/// `mpirun -np R dtb mpi-check [--json]` (hidden): runs each collective dtb uses once over the
/// ranks and prints, on rank 0, what came back (known answers for a test). Without mpirun it
/// says so and fails, since there is no world to check.
///
/// JSON: `{"ranks", "gathered_ranks", "gathered_bytes", "broadcast", "sum", "maximum", "agreed"}`.
struct MPICheck: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mpi-check", abstract: "Check the MPI collectives under mpirun.",
                                                    shouldDisplay: false)
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            guard let world = try MPIWorld.start() else {
                throw ValidationError("mpi-check: not launched by mpirun (none of \(MPIWorld.launchVariables.joined(separator: ", ")) is set)")
            }
            let report = try MPIProbeReport.run(on: world)
            guard world.isRoot else { return }
            if output.json { return try Console.printJSON(report) }
            Console.print("\(report.ranks) ranks: gathered \(report.gatheredRanks), sum \(report.sum), max \(report.maximum), "
                          + "agreed \(report.agreed)")
        }
    }
}
