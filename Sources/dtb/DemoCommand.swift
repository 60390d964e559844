import ArgumentParser

/// `dtb demo`
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the main job end to end on the embedded default.")
}
