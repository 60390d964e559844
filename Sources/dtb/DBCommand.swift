import ArgumentParser

/// `dtb db …`
struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Manage the database.")
}
