import ArgumentParser
import AtlasCatalog
import Foundation
import Store

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
                let database = try Console.openDatabase()
                let importer = AtlasImporter(database: database, mirror: mirror.map { URL(fileURLWithPath: $0, isDirectory: true) })
                Console.progress("importing atlas \(name)…")
                let outcome: AtlasImportOutcome
                if let volume, let table {
                    outcome = try importer.importAtlas(name: name, labelVolume: URL(fileURLWithPath: volume),
                                                       labelTable: URL(fileURLWithPath: table), templateSpace: space, title: title)
                } else {
                    outcome = try importer.importBuiltin(name)
                }
                if output.json { return try Console.printJSON(outcome) }
                print("\(outcome.atlas): \(outcome.action.rawValue) (\(outcome.regions) regions)")
            }
        }
    }

    /// JSON: `[{"name", "title", "template_space", "regions", "grids_mm": [..]}]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the stored atlases.")
        @OptionGroup var output: OutputOptions

        struct Entry: Codable {
            var name, title, templateSpace: String
            var regions: Int
            var gridsMM: [Double]
            enum CodingKeys: String, CodingKey { case name, title, templateSpace = "template_space", regions, gridsMM = "grids_mm" }
        }

        func run() throws {
            try Console.run {
                let atlases = try AtlasCatalog(database: Console.openDatabase()).atlases()
                let entries = atlases.map { Entry(name: $0.name, title: $0.title, templateSpace: $0.templateSpace,
                                                  regions: $0.regionCount, gridsMM: $0.grids.map(\.resolution)) }
                if output.json { return try Console.printJSON(entries) }
                if entries.isEmpty { print("no atlases; try `dtb atlas import brainnetome246`") }
                for entry in entries {
                    let grids = entry.gridsMM.map { String(format: "%g mm", $0) }.joined(separator: ", ")
                    print("\(entry.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%4d", entry.regions)) regions  \(entry.templateSpace)  [\(grids)]  \(entry.title)")
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
                let catalog = try AtlasCatalog(database: Console.openDatabase())
                let summary = try catalog.summary(of: catalog.atlas(named: name))
                if output.json { return try Console.printJSON(summary) }
                print(AtlasText.summary(summary))
            }
        }
    }

    /// JSON: `[RegionRecord]` (`id, label, name, hemisphere, kind, lobe, gyrus, description, centroid, networks`)
    /// with `voxels` and `volume_mm3` on the primary grid.
    struct Regions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an atlas's regions, optionally filtered.")
        @Argument var name: String
        @Option(help: "Only regions in this lobe (e.g. \"Frontal Lobe\").") var lobe: String?
        @Option(help: "Only regions in this gyrus (e.g. SFG).") var gyrus: String?
        @Option(help: "left, right or bilateral.") var hemisphere: String?
        @Option(help: "cortical or subcortical.") var kind: String?
        @OptionGroup var output: OutputOptions

        struct Row: Codable {
            var region: RegionRecord
            var voxels: Int
            var volumeMM3: Double
            enum CodingKeys: String, CodingKey { case region, voxels, volumeMM3 = "volume_mm3" }
        }

        func run() throws {
            try Console.run {
                let catalog = try AtlasCatalog(database: Console.openDatabase())
                let atlas = try catalog.atlas(named: name)
                let extents = Dictionary(uniqueKeysWithValues: try catalog.regionExtents(on: atlas.primaryGrid).map { ($0.regionID, $0) })
                let rows = try catalog.regions(of: atlas).filter { region in
                    (lobe == nil || region.lobe == lobe) && (gyrus == nil || region.gyrus == gyrus)
                        && (hemisphere == nil || region.hemisphere == hemisphere) && (kind == nil || region.kind == kind)
                }.map { Row(region: $0, voxels: extents[$0.id]?.voxelCount ?? 0, volumeMM3: extents[$0.id]?.volumeMM3 ?? 0) }
                if output.json { return try Console.printJSON(rows) }
                for row in rows {
                    let r = row.region
                    let centroid = r.centroid.map { String(format: "%6.1f", $0) }.joined(separator: " ")
                    print("\(String(format: "%4d", r.label))  \(r.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(r.hemisphere.padding(toLength: 6, withPad: " ", startingAt: 0)) \(r.kind.padding(toLength: 11, withPad: " ", startingAt: 0)) \(String(format: "%6d", row.voxels)) vox  (\(centroid))  \(r.gyrus ?? "")")
                }
                Console.progress("\(rows.count) regions")
            }
        }
    }
}

/// Text rendering of atlas summaries.
enum AtlasText {
    static func summary(_ summary: AtlasSummary) -> String {
        var lines = ["\(summary.name) — \(summary.title)",
                     "  space \(summary.templateSpace), version \(summary.version)",
                     "  \(summary.regions) regions: " + describe(summary.hemispheres) + "; " + describe(summary.kinds)]
        if !summary.levels.isEmpty {
            let plural = ["lobe": "lobes", "gyrus": "gyri", "structure": "structures"]
            let levels = summary.levels.sorted { $0.value < $1.value }.map { "\($0.value) \(plural[$0.key] ?? $0.key)" }
            lines.append("  hierarchy: " + levels.joined(separator: " → ") + " → \(summary.regions) regions")
        }
        for grid in summary.grids {
            lines.append(String(format: "  grid %g mm %@  %d labelled voxels%@", grid.resolutionMM,
                                grid.dimensions.map(String.init).joined(separator: "×"), grid.labelledVoxels, grid.primary ? "  (primary)" : ""))
        }
        for node in summary.hierarchy {
            lines.append("  \(node.name) (\(node.regions))")
            for child in node.children { lines.append("    \(child.name) — \(child.description ?? "") (\(child.regions))") }
        }
        lines.append("  cite: \(summary.citation)")
        return lines.joined(separator: "\n")
    }

    private static func describe(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }
}
