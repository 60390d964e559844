import AtlasCatalog
import Foundation
import Services

/// Text rendering of atlases for `dtb atlas` and `dtb demo`.
enum AtlasText {
    /// `dtb atlas show`: title, space, counts, hierarchy levels, grids, lobes and gyri, citation.
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

    /// `dtb atlas regions`: one line per region.
    static func region(_ row: RegionRow) -> String {
        let r = row.region
        let centroid = r.centroid.map { String(format: "%6.1f", $0) }.joined(separator: " ")
        return "\(String(format: "%4d", r.label))  \(r.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(r.hemisphere.padding(toLength: 6, withPad: " ", startingAt: 0)) \(r.kind.padding(toLength: 11, withPad: " ", startingAt: 0)) \(String(format: "%6d", row.voxels)) vox  (\(centroid))  \(r.gyrus ?? "")"
    }

    private static func describe(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }
}
