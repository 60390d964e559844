import ArgumentParser
import AtlasCatalog
import Foundation
import Store

/// `dtb demo`: the main job on the embedded default — start the database, import both built-in
/// atlases and print their summaries.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the main job end to end on the embedded default.")
    @Option(help: "Atlas mirror directory (default: DTB_ATLAS_MIRROR, else ../shared/atlas-data beside the checkout, else download).")
    var mirror: String?

    func run() throws {
        try Console.run {
            let database = try Console.openDatabase()
            let importer = AtlasImporter(database: database, mirror: mirrorDirectory())
            let catalog = AtlasCatalog(database: database)
            for name in ["brainnetome246", "cortsub374"] {
                Console.progress("importing atlas \(name)…")
                let outcome = try importer.importBuiltin(name)
                Console.progress("\(name): \(outcome.action.rawValue)")
                print(AtlasText.summary(try catalog.summary(of: catalog.atlas(named: name))))
                print()
            }
        }
    }

    private func mirrorDirectory() -> URL? {
        if let mirror { return URL(fileURLWithPath: mirror, isDirectory: true) }
        if ProcessInfo.processInfo.environment["DTB_ATLAS_MIRROR"] != nil { return nil }
        guard let atlases = try? ProjectResources.atlasesDirectory() else { return nil }
        let shared = atlases.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/atlas-data")
        return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
    }
}
