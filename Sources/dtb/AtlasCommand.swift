import ArgumentParser
import AtlasCatalog
import Foundation
import Services

/// `dtb atlas import|list|show|regions`.
struct AtlasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atlas", abstract: "Import and browse brain atlases.",
        subcommands: [Import.self, List.self, Show.self, Regions.self])

    /// JSON: `{"atlas", "action": "imported"|"unchanged", "regions"}`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a built-in atlas (brainnetome246, cortsub374) or a label volume with its region table.")
        @Argument(help: "Atlas name: a built-in name, or the name for --volume/--table.") var name: String
        @Option(help: "Label volume (NIfTI, integer labels).") var volume: String?
        @Option(help: "Region table: FreeSurfer LUT, BIDS dseg TSV, or CSV.") var table: String?
        @Option(help: "Template space of the label volume.") var space = "MNI152NLin6Asym"
        @Option(help: "Title shown by `atlas show`.") var title: String?
        @Option(help: "Atlas mirror directory (default: DTB_ATLAS_MIRROR, else download).") var mirror: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (volume == nil) == (table == nil) else { throw ValidationError("--volume and --table go together") }
        }

        func run() throws {
            try Console.run {
                let service = AtlasService(database: try Console.openDatabase(), environment: Console.environment)
                let outcome = try service.importAtlas(request, progress: Console.progress)
                if output.json { return try Console.printJSON(outcome) }
                Console.print("\(outcome.atlas): \(outcome.action.rawValue) (\(outcome.regions) regions)")
            }
        }

        var request: AtlasImportRequest {
            var source = AtlasImportRequest.Source.builtin
            if let volume, let table {
                source = .labelVolume(URL(fileURLWithPath: volume), table: URL(fileURLWithPath: table), templateSpace: space, title: title)
            }
            return AtlasImportRequest(name: name, source: source, mirror: mirror.map { URL(fileURLWithPath: $0, isDirectory: true) })
        }
    }

    /// JSON: `[{"name", "title", "template_space", "regions", "grids_mm": [..]}]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the stored atlases.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Console.run {
                let entries = try AtlasService(database: Console.openDatabase(), environment: Console.environment).list()
                if output.json { return try Console.printJSON(entries) }
                if entries.isEmpty { Console.print("no atlases; try `dtb atlas import brainnetome246`") }
                for entry in entries {
                    let grids = entry.gridsMM.map { String(format: "%g mm", $0) }.joined(separator: ", ")
                    Console.print("\(entry.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%4d", entry.regions)) regions  \(entry.templateSpace)  [\(grids)]  \(entry.title)")
                }
            }
        }
    }

    /// JSON: ``AtlasSummary``.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarise an atlas: hemispheres, kinds, grids and hierarchy.")
        @Argument var name: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Console.run {
                let summary = try AtlasService(database: Console.openDatabase(), environment: Console.environment).summary(of: name)
                if output.json { return try Console.printJSON(summary) }
                Console.print(AtlasText.summary(summary))
            }
        }
    }

    /// JSON: `[{"region": {"id", "label", "name", "hemisphere", "kind", "lobe", "gyrus", "description",
    /// "centroid", "networks": {scheme: network}}, "voxels", "volume_mm3"}]`, voxels and volume on
    /// the primary grid.
    struct Regions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an atlas's regions, optionally filtered.")
        @Argument var name: String
        @Option(help: "Only regions in this lobe (e.g. \"Frontal Lobe\").") var lobe: String?
        @Option(help: "Only regions in this gyrus (e.g. SFG).") var gyrus: String?
        @Option(help: "left, right or bilateral.") var hemisphere: String?
        @Option(help: "cortical or subcortical.") var kind: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Console.run {
                let filter = RegionFilter(lobe: lobe, gyrus: gyrus, hemisphere: hemisphere, kind: kind)
                let rows = try AtlasService(database: Console.openDatabase(), environment: Console.environment)
                    .regions(of: name, matching: filter)
                if output.json { return try Console.printJSON(rows) }
                for row in rows { Console.print(AtlasText.region(row)) }
                Console.progress("\(rows.count) regions")
            }
        }
    }
}
