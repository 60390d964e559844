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
            let importer = AtlasImporter(database: database, mirror: mirror.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? AtlasFileSource.defaultMirror())
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
}
