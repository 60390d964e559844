import Foundation
import Imaging
import Store

/// How each built-in atlas, and a user's label volume + table, become an ``AtlasDefinition``.
enum AtlasRecipes {
    static func definition(for manifest: AtlasManifest, files: [String: URL]) throws -> AtlasDefinition {
        switch manifest.recipe {
        case "brainnetome246": return try brainnetome(manifest, files)
        case "cortsub374": return try cortsub374(manifest, files)
        default: throw AtlasError("\(manifest.name): unknown recipe '\(manifest.recipe)' in its manifest")
        }
    }

    // MARK: Brainnetome

    private static let yeo7Names = ["1": "Visual", "2": "Somatomotor", "3": "Dorsal Attention", "4": "Ventral Attention",
                                    "5": "Limbic", "6": "Frontoparietal", "7": "Default"]

    /// Brainnetome 246: the region table carries lobe, gyrus ("SFG, Superior Frontal Gyrus"),
    /// hemisphere, description and Yeo networks; label volumes at 2 mm (primary) and 1 mm.
    private static func brainnetome(_ manifest: AtlasManifest, _ files: [String: URL]) throws -> AtlasDefinition {
        let table = try LabelTable(contentsOf: files["region-table"]!)
        var structures: [AtlasDefinition.Structure] = []
        var regions: [AtlasDefinition.Region] = []
        for row in table.rows {
            let lobe = row.attributes["lobe"] ?? "Unknown"
            let gyrusField = row.attributes["gyrus"] ?? "Unknown"
            let gyrusParts = gyrusField.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let gyrus = gyrusParts[0]
            let lobeNode = AtlasDefinition.Structure(level: "lobe", name: lobe, description: nil, parent: nil)
            let gyrusNode = AtlasDefinition.Structure(level: "gyrus", name: gyrus, description: gyrusParts.last, parent: lobe)
            for node in [lobeNode, gyrusNode] where !structures.contains(node) { structures.append(node) }
            var networks: [String: String] = [:]
            if let code = row.attributes["yeo7"], let name = yeo7Names[code] { networks["yeo7"] = name }
            if let code = row.attributes["yeo17"], code != "0" { networks["yeo17"] = "17Networks_\(code)" }
            regions.append(.init(
                label: row.label, name: row.name, hemisphere: hemisphere(row.attributes["hemisphere"], name: row.name),
                kind: lobe == "Subcortical Nuclei" ? "subcortical" : "cortical", lobe: lobe, gyrus: gyrus,
                description: row.attributes["description"], parent: gyrus, networks: networks))
        }
        let grids = try [("labels-2mm", true), ("labels-1mm", false)].map { role, primary in
            AtlasDefinition.Grid(volume: try LabelVolumeReader.read(files[role]!), isPrimary: primary, sourcePath: files[role]!.path)
        }
        let definition = try metadata(manifest, files, structures: structures, regions: regions, grids: grids)
        try definition.validate(tablePath: table.path)
        return definition
    }

    // MARK: cortsub374

    /// The 14 subcortical structures in DTB's order: left 361–367, right 368–374.
    private static let subcorticalOrder = ["THALAMUS", "CAUDATE", "PUTAMEN", "PALLIDUM", "HIPPOCAMPUS", "AMYGDALA", "ACCUMBENS"]

    /// HCP-MMP1.0 + 14 subcortical structures, composed onto the HCP 2 mm grid: the 1 mm Glasser
    /// cortex is resampled nearest-neighbour, then subcortical labels fill voxels with no cortical
    /// label. Labels follow DTB: 1–180 left cortex, 181–360 right, 361–374 subcortical.
    /// The source table numbers right first (1 = Right_V1), so labels are mapped by name.
    private static func cortsub374(_ manifest: AtlasManifest, _ files: [String: URL]) throws -> AtlasDefinition {
        let cortexTable = try LabelTable(contentsOf: files["cortex-table"]!)
        let subcortexTable = try LabelTable(contentsOf: files["subcortex-table"]!)
        var regions: [AtlasDefinition.Region] = []
        var cortexMap: [Int32: Int32] = [:]
        for row in cortexTable.rows {
            let isLeft = row.name.hasPrefix("Left_")
            guard isLeft || row.name.hasPrefix("Right_") else {
                throw AtlasError.file(cortexTable.path, "line \(row.line): '\(row.name)' names no hemisphere")
            }
            let area = row.name.split(separator: "_", maxSplits: 1).last.map(String.init) ?? row.name
            let sameSideIndex = isLeft ? row.label - 180 : row.label       // 1…180 within a hemisphere
            let label = isLeft ? sameSideIndex : sameSideIndex + 180
            cortexMap[Int32(row.label)] = Int32(label)
            var networks: [String: String] = [:]
            for scheme in ["yeo", "mesulam", "economo"] {
                if let value = row.attributes["community_\(scheme)"] { networks[scheme == "yeo" ? "yeo7" : scheme] = value }
            }
            regions.append(.init(label: label, name: (isLeft ? "L_" : "R_") + area, hemisphere: isLeft ? "left" : "right",
                                 kind: "cortical", lobe: nil, gyrus: nil, description: "HCP-MMP1.0 area \(area)",
                                 parent: "cortex", networks: networks))
        }
        var subcortexMap: [Int32: Int32] = [:]
        for row in subcortexTable.rows {
            let parts = row.name.split(separator: "_").map(String.init)
            guard parts.count == 2, let position = subcorticalOrder.firstIndex(of: parts[0]) else { continue }
            let isLeft = parts[1] == "LEFT"
            let label = 361 + position + (isLeft ? 0 : subcorticalOrder.count)
            subcortexMap[Int32(row.label)] = Int32(label)
            regions.append(.init(label: label, name: (isLeft ? "L_" : "R_") + parts[0].capitalized, hemisphere: isLeft ? "left" : "right",
                                 kind: "subcortical", lobe: nil, gyrus: nil, description: "\(parts[0].lowercased()) (FreeSurfer aseg \(row.label))",
                                 parent: "subcortex", networks: [:]))
        }
        guard regions.count == 374 else {
            throw AtlasError("cortsub374: the source tables give \(regions.count) regions, expected 360 cortical + 14 subcortical")
        }
        let cortex = try LabelVolumeReader.read(files["cortex-1mm"]!)
        let subcortex = try LabelVolumeReader.read(files["subcortex-2mm"]!)
        let cortexOnGrid = cortex.resampled(onto: subcortex.grid)
        let composed = zip(cortexOnGrid.labels, subcortex.labels).map { cortical, subcortical -> Int32 in
            if cortical != 0 { return cortexMap[cortical] ?? -1 }
            return subcortexMap[subcortical] ?? 0
        }
        if composed.contains(-1) {
            throw AtlasError.file(files["cortex-1mm"]!.path, "has cortical labels missing from \(cortexTable.path)")
        }
        let grid = AtlasDefinition.Grid(volume: LabelVolume(grid: subcortex.grid, labels: composed), isPrimary: true,
                                        sourcePath: files["cortex-1mm"]!.path)
        let structures = [AtlasDefinition.Structure(level: "structure", name: "cortex", description: "HCP-MMP1.0 cortical areas", parent: nil),
                          AtlasDefinition.Structure(level: "structure", name: "subcortex", description: "HCP subcortical grey matter", parent: nil)]
        let definition = try metadata(manifest, files, structures: structures, regions: regions.sorted { $0.label < $1.label }, grids: [grid])
        try definition.validate(tablePath: cortexTable.path)
        return definition
    }

    // MARK: User atlases

    /// `dtb atlas import NAME --volume V --table T`: one grid, regions from the table; hemisphere,
    /// lobe, gyrus and kind taken from table columns when present, else from the names.
    static func custom(name: String, title: String?, templateSpace: String, volumeURL: URL, tableURL: URL) throws -> AtlasDefinition {
        let volume = try LabelVolumeReader.read(volumeURL)
        let table = try LabelTable(contentsOf: tableURL)
        let volumeDigest = try SHA256.hex(ofFile: volumeURL.path), tableDigest = try SHA256.hex(ofFile: tableURL.path)
        var structures: [AtlasDefinition.Structure] = []
        let regions = table.rows.map { row -> AtlasDefinition.Region in
            let lobe = row.attributes["lobe"], gyrus = row.attributes["gyrus"]
            if let lobe {
                let node = AtlasDefinition.Structure(level: "lobe", name: lobe, description: nil, parent: nil)
                if !structures.contains(node) { structures.append(node) }
                if let gyrus {
                    let child = AtlasDefinition.Structure(level: "gyrus", name: gyrus, description: nil, parent: lobe)
                    if !structures.contains(child) { structures.append(child) }
                }
            }
            return .init(label: row.label, name: row.name, hemisphere: hemisphere(row.attributes["hemisphere"], name: row.name),
                         kind: kind(row.attributes["kind"] ?? row.attributes["structure"], name: row.name),
                         lobe: lobe, gyrus: gyrus, description: row.attributes["description"],
                         parent: lobe == nil ? nil : (gyrus ?? nil), networks: [:])
        }
        let definition = AtlasDefinition(
            name: name, title: title ?? name, version: "1", templateSpace: templateSpace, citation: "user import",
            licence: "unspecified",
            contentDigest: SHA256.hex(Array("recipe:custom\nvolume:\(volumeDigest)\ntable:\(tableDigest)\nspace:\(templateSpace)".utf8)),
            sources: [try sourceFile(volumeURL, role: "labels", sha256: volumeDigest, url: nil),
                      try sourceFile(tableURL, role: "region-table", sha256: tableDigest, url: nil)],
            structures: structures, regions: regions.sorted { $0.label < $1.label },
            grids: [.init(volume: volume, isPrimary: true, sourcePath: volumeURL.path)])
        try definition.validate(tablePath: tableURL.path)
        return definition
    }

    // MARK: Helpers

    private static func metadata(_ manifest: AtlasManifest, _ files: [String: URL], structures: [AtlasDefinition.Structure],
                                 regions: [AtlasDefinition.Region], grids: [AtlasDefinition.Grid]) throws -> AtlasDefinition {
        AtlasDefinition(
            name: manifest.name, title: manifest.title, version: manifest.version, templateSpace: manifest.templateSpace,
            citation: manifest.citation, licence: manifest.licence, contentDigest: manifest.contentDigest,
            sources: try manifest.files.map { try sourceFile(files[$0.role]!, role: $0.role, sha256: $0.sha256, url: $0.url) },
            structures: structures, regions: regions, grids: grids)
    }

    private static func sourceFile(_ url: URL, role: String, sha256: String, url address: String?) throws -> AtlasDefinition.SourceFile {
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64 ?? 0
        return .init(name: url.lastPathComponent, role: role, sha256: sha256, size: size, url: address)
    }

    /// `L`/`R`/`left`/`right` from a column, else from name conventions (`_L`, `L_`, `Left_`, `lh.`).
    static func hemisphere(_ column: String?, name: String) -> String {
        switch column?.lowercased() {
        case "l", "left", "lh": return "left"
        case "r", "right", "rh": return "right"
        default: break
        }
        let lower = name.lowercased()
        if lower.hasSuffix("_l") || lower.hasPrefix("l_") || lower.hasPrefix("left") || lower.hasPrefix("lh") || lower.hasSuffix("_left") { return "left" }
        if lower.hasSuffix("_r") || lower.hasPrefix("r_") || lower.hasPrefix("right") || lower.hasPrefix("rh") || lower.hasSuffix("_right") { return "right" }
        return "bilateral"
    }

    private static let subcorticalWords = ["thalam", "caudate", "putamen", "pallid", "hippocamp", "amygdala", "accumbens", "subcort"]

    static func kind(_ column: String?, name: String) -> String {
        let text = (column ?? name).lowercased()
        return subcorticalWords.contains { text.contains($0) } ? "subcortical" : "cortical"
    }
}
