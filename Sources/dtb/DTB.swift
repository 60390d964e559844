import ArgumentParser

/// The `dtb` command: digital twin brain platform.
@main
struct DTB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtb",
        abstract: "Build, assimilate and study personal digital twin brains kept in PostgreSQL.",
        subcommands: [Bench.self]
    )
}
