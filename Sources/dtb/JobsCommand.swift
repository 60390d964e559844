import ArgumentParser
import Foundation
import Jobs
import Services

extension JobStatus: ExpressibleByArgument {}

/// `dtb jobs [--status queued|running|done|failed] [--json]`
///
/// JSON: `[{"id", "kind": "build"|"validate"|"assimilate", "idempotency_key", "payload", "status",
/// "attempts", "max_attempts", "lease_owner"?, "lease_expires_at"?, "heartbeat_at"?, "last_error"?,
/// "result"?, "depends_on"?, "created_at", "started_at"?, "finished_at"?}]`, oldest first.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List the job queue: builds, validations and assimilations new data called for.")
    @Option(help: "Only jobs with this status: queued, running, done or failed.") var status: JobStatus?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let jobs = try JobService(database: Console.openDatabase()).list(status: status)
            if output.json { return try Console.printJSON(jobs) }
            if jobs.isEmpty { Console.print("no jobs" + (status.map { " \($0.rawValue)" } ?? "")) }
            for job in jobs {
                var line = "\(job.id)  \(job.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(job.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                line += "\(job.attempts)/\(job.maxAttempts)  \(job.idempotencyKey)"
                if let waits = job.dependsOn { line += "  after \(waits)" }
                if let error = job.lastError, job.status != .done { line += "  — \(error)" }
                Console.print(line)
            }
        }
    }
}
