import ArgumentParser

/// `dtb subject` — placeholder until the ingest module lands.
struct Subject: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show subjects (not yet available).")
}
