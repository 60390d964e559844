import ArgumentParser
import Store

/// The `dtb` command: digital twin brain platform (run by ``DTBCommandLine``).
struct DTB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtb",
        abstract: "Build, assimilate and study personal digital twin brains kept in PostgreSQL.",
        discussion: """
            Without DTB_DATABASE_URL, dtb starts its own PostgreSQL cluster under DTB_HOME \
            (default ~/.local/share/dtb, or /var/lib/dtb as root) and reuses it on later runs.
            """,
        version: ProjectResources.release,
        subcommands: [Demo.self, DB.self, FsckCommand.self, AtlasCommand.self, Ingest.self, Subject.self, Twin.self, StudyCommand.self, Analyze.self,
                      WorkerCommand.self, JobsCommand.self, ServeCommand.self, TokenCommand.self, Bench.self, MPICheck.self]
    )
}
