import ArgumentParser

/// `dtb bench …`: benchmarks that print their figures.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run benchmarks and print their figures.")
}
