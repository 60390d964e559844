import ArgumentParser

/// `dtb ingest` — placeholder until the ingest module lands.
struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ingest a BIDS dataset (not yet available).")
}
