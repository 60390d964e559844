import ArgumentParser
import Foundation
import Services

/// `dtb worker [--once] [--lease-seconds S] [--poll-seconds S] [--json]`
///
/// JSON (at the end): ``WorkerReport``: `{"worker", "planned", "jobs": [{"id", "kind", "attempt",
/// "outcome": "done"|"retry"|"failed"|"lease_lost", "error"?, "result"?}], "failed"}`. Exit status 1
/// when any job it ran failed for good.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Turn new data into jobs and run them (builds now; validations and assimilations as they land).",
        discussion: """
            Listens for ingests (NOTIFY subject_data) and queued jobs, plans every twin at start (data \
            that arrived while no worker ran), and runs jobs one at a time under a lease it renews every \
            third of --lease-seconds; a job whose worker dies is taken over once its lease runs out. \
            With --once it stops when no job is queued or running.
            """)
    @Flag(help: "Run until no job is queued or running, then exit (1 if a job failed for good).") var once = false
    @Option(help: "Seconds a claimed job stays leased without a heartbeat (1–86400).") var leaseSeconds: Double = 60
    @Option(help: "Seconds an idle worker waits for a notification before looking at the queue again (0.05–3600).")
    var pollSeconds: Double = 5
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var options = WorkerOptions()
            options.once = once
            options.leaseSeconds = leaseSeconds
            options.pollSeconds = pollSeconds
            try options.check()
            let report = try Worker(database: Console.openDatabase(), options: options, progress: Console.progressHandler).run()
            if output.json { try Console.printJSON(report) } else { print(report) }
            if report.failed > 0 {
                throw WorkerFailure(description: "\(report.failed) job\(report.failed == 1 ? "" : "s") failed for good: "
                                    + report.jobs.filter { $0.outcome == .failed }.map { "job \($0.id) (\($0.kind.rawValue))" }.joined(separator: ", "))
            }
        }
    }

    private func print(_ report: WorkerReport) {
        for job in report.jobs {
            Console.print("job \(job.id) \(job.kind.rawValue) attempt \(job.attempt): \(job.outcome.rawValue)" + (job.error.map { " — \($0)" } ?? ""))
        }
        Console.print("\(report.planned) queued, \(report.jobs.count) attempts, \(report.failed) failed for good")
    }
}

/// Jobs failed for good: the worker's exit status is 1.
struct WorkerFailure: Error, CustomStringConvertible {
    let description: String
}
