import ArgumentParser

/// `dtb atlas …`
struct AtlasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "atlas", abstract: "Import and browse brain atlases.")
}
