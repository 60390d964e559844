import ArgumentParser
import Services
import Store

/// `dtb fsck [--repair] [--json]`: the file store against the database.
///
/// JSON: `{"rows", "files", "remaining", "problems": [{"kind": "missing"|"checksum"|"orphan"|"stale_staging",
/// "path", "repaired"}]}`. Exit status 1 while problems remain.
struct FsckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check that every stored file the database records is there with its checksum, and nothing else is.",
        discussion: """
            Finds rows whose file is missing or damaged, files no row records (orphans) and staging \
            files of writers that are gone. --repair removes orphans and stale staging; a missing or \
            damaged twin file comes back with an identical `dtb twin build`. Exits 1 while problems remain.
            """)
    @Flag(help: "Remove orphan files and stale staging files.") var repair = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let report = try FileStoreService(database: Console.openDatabase()).check(repair: repair)
            if output.json {
                try Console.printJSON(report)
            } else {
                for problem in report.problems {
                    Console.print("\(problem.kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(problem.path)\(problem.repaired ? "  (repaired)" : "")")
                }
                Console.print("\(report.rows) rows, \(report.files) files: \(report.problems.count) problems, \(report.remaining) remaining")
            }
            if report.remaining > 0 {
                Console.progress("dtb: \(report.remaining) file store problems remain")
                throw ExitCode.failure
            }
        }
    }
}
