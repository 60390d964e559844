import Foundation
import HDF5Kit
import Imaging
import Postgres
import Store

/// What an import did.
public struct AtlasImportOutcome: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable { case imported, unchanged }
    public let atlas: String
    public let action: Action
    public let regions: Int
}

/// Stores atlases: checks the input, writes the label volumes and per-region voxel lists to one
/// HDF5 file, and records everything in one transaction. A failed import leaves the database
/// exactly as it was.
public struct AtlasImporter {
    public let database: Database
    public let source: AtlasFileSource

    /// - Parameter mirror: a directory laid out like `../shared/atlas-data`; `nil` reads
    ///   `DTB_ATLAS_MIRROR` from `environment`, and without it files are downloaded into the data
    ///   home's cache.
    public init(database: Database, mirror: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.database = database
        let named = mirror ?? environment["DTB_ATLAS_MIRROR"].map { URL(fileURLWithPath: $0, isDirectory: true) }
        source = AtlasFileSource(mirror: named, cache: database.home.atlasCache)
    }

    /// Imports a built-in atlas from its manifest in `Atlases/`.
    public func importBuiltin(_ name: String) throws -> AtlasImportOutcome {
        let manifest = try AtlasManifest.builtin(name)
        if let outcome = try unchanged(name: manifest.name, digest: manifest.contentDigest) { return outcome }
        let definition = try AtlasRecipes.definition(for: manifest, files: source.resolve(manifest))
        return try store(definition)
    }

    /// Imports a label volume (NIfTI) with its region table (FreeSurfer LUT, TSV or CSV).
    public func importAtlas(name: String, labelVolume: URL, labelTable: URL,
                            templateSpace: String = "MNI152NLin6Asym", title: String? = nil) throws -> AtlasImportOutcome {
        guard name.range(of: "^[a-z0-9][a-z0-9_.-]*$", options: .regularExpression) != nil else {
            throw AtlasError("atlas name '\(name)': use lowercase letters, digits, '.', '_' or '-'")
        }
        // Names become twin names (`<subject>-<atlas>`) and file groups: as short as a twin's.
        guard name.count <= 64 else { throw AtlasError("atlas name '\(name.prefix(24))…': \(name.count) characters, more than 64") }
        // Matched against the space- entity of BIDS file names, whose values are alphanumeric.
        guard templateSpace.range(of: "^[A-Za-z0-9]+$", options: .regularExpression) != nil else {
            throw AtlasError("--space '\(templateSpace)': a template space is a BIDS label (letters and digits), such as MNI152NLin6Asym")
        }
        let definition = try AtlasRecipes.custom(name: name, title: title, templateSpace: templateSpace,
                                                 volumeURL: labelVolume, tableURL: labelTable)
        return try store(definition)
    }

    /// `nil` when the atlas is absent; `.unchanged` when it is stored with the same content;
    /// an error when the name is taken by different content.
    private func unchanged(name: String, digest: String, on connection: PostgresConnection? = nil) throws -> AtlasImportOutcome? {
        let rows = try (connection ?? database.connection).query(
            "SELECT content_sha256, region_count FROM atlas WHERE name = $1", [name])
        guard let row = rows.first else { return nil }
        guard row[0].string == digest else {
            throw AtlasError("atlas '\(name)' already exists with different content; import it under another name")
        }
        return AtlasImportOutcome(atlas: name, action: .unchanged, regions: row[1].int!)
    }

    private func store(_ definition: AtlasDefinition) throws -> AtlasImportOutcome {
        let indexes = definition.grids.map { $0.volume.regionIndex() }
        let staged = try database.files.stage(kind: "atlas", extension: "h5") { url in
            try AtlasFileWriter.write(definition, indexes: indexes, to: url)
        }
        do {
            return try database.connection.transaction { connection in
                // Two importers of the same name: the second waits, then sees the first's atlas.
                try connection.advisoryTransactionLock(named: "atlas:\(definition.name)")
                if let outcome = try unchanged(name: definition.name, digest: definition.contentDigest, on: connection) {
                    database.files.discard(staged, on: connection)
                    return outcome
                }
                let file = try database.files.register(staged, on: connection)
                try AtlasRowWriter(connection: connection).write(definition, indexes: indexes, file: file)
                return AtlasImportOutcome(atlas: definition.name, action: .imported, regions: definition.regions.count)
            }
        } catch {
            database.files.discard(staged, on: database.connection)
            throw error
        }
    }
}

/// The atlas HDF5 file: per grid `/grid_<mm>mm/labels` (int32, shape z, y, x), `voxels` (linear
/// voxel indices grouped by label), `region_labels` and `region_offsets` (where each label's
/// voxels start; one extra final entry); attributes `dimensions`, `affine`, `resolution_mm`.
enum AtlasFileWriter {
    static func groupName(_ resolution: Double) -> String {
        let millimetres = (resolution * 100).rounded() / 100
        // Int(exactly:) rather than Int(): an absurd voxel size must name a group, not trap.
        return "grid_\(Int(exactly: millimetres).map(String.init) ?? String(millimetres))mm"
    }

    static func write(_ definition: AtlasDefinition, indexes: [RegionIndex], to url: URL) throws {
        let file = try HDF5File.create(path: url.path)
        defer { file.close() }
        try file.setAttribute("atlas", definition.name)
        try file.setAttribute("content_sha256", definition.contentDigest)
        try file.setAttribute("format", "dtb-atlas-1")
        for (grid, index) in zip(definition.grids, indexes) {
            let group = "/" + groupName(grid.volume.grid.resolution)
            let dims = grid.volume.grid.dimensions
            try file.createGroup(group)
            try file.write("\(group)/labels", grid.volume.labels, shape: [dims[2], dims[1], dims[0]],
                           chunks: [min(dims[2], 16), dims[1], dims[0]], gzipLevel: 4)
            try file.write("\(group)/voxels", index.voxels, shape: [index.voxels.count], gzipLevel: 4)
            try file.write("\(group)/region_labels", index.regions.map(\.label), shape: [index.regions.count])
            let offsets = index.regions.map { Int64($0.offset) } + [Int64(index.voxels.count)]
            try file.write("\(group)/region_offsets", offsets, shape: [offsets.count])
            try file.setAttribute("dimensions", dims.map(Int64.init), on: group)
            try file.setAttribute("affine", Array(grid.volume.grid.affine.joined()), on: group)
            try file.setAttribute("resolution_mm", grid.volume.grid.resolution, on: group)
        }
        try file.flush()
    }
}

/// Writes an atlas's rows; bulk tables go through COPY.
struct AtlasRowWriter {
    let connection: PostgresConnection

    func write(_ definition: AtlasDefinition, indexes: [RegionIndex], file: StoredFile) throws {
        let atlasID = try connection.query("""
            INSERT INTO atlas (name, title, version, template_space, citation, licence, content_sha256, region_count)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
            """, [definition.name, definition.title, definition.version, definition.templateSpace,
                  definition.citation, definition.licence, definition.contentDigest, definition.regions.count]).scalar().int!
        for source in definition.sources {
            try connection.query("""
                INSERT INTO atlas_source_file (atlas_id, file_name, role, sha256, size_bytes, url) VALUES ($1, $2, $3, $4, $5, $6)
                """, [atlasID, source.name, source.role, source.sha256, source.size, source.url])
        }
        let structureIDs = try writeStructures(definition.structures, atlasID: atlasID)
        let regionIDs = try writeRegions(definition, atlasID: atlasID, structureIDs: structureIDs, indexes: indexes)
        try writeGrids(definition, atlasID: atlasID, regionIDs: regionIDs, indexes: indexes, file: file)
    }

    private func writeStructures(_ structures: [AtlasDefinition.Structure], atlasID: Int) throws -> [String: Int] {
        var ids: [String: Int] = [:]
        // Parents first: lobes and top-level structures have none.
        for structure in structures.sorted(by: { ($0.parent == nil ? 0 : 1) < ($1.parent == nil ? 0 : 1) }) {
            let parentID = structure.parent.flatMap { ids["lobe:\($0)"] }
            ids["\(structure.level):\(structure.name)"] = try connection.query("""
                INSERT INTO atlas_structure (atlas_id, level, name, description, parent_id) VALUES ($1, $2, $3, $4, $5) RETURNING id
                """, [atlasID, structure.level, structure.name, structure.description, parentID]).scalar().int!
        }
        return ids
    }

    private func writeRegions(_ definition: AtlasDefinition, atlasID: Int, structureIDs: [String: Int],
                              indexes: [RegionIndex]) throws -> [Int: Int] {
        // Centroids from the finest grid.
        let finest = indexes[definition.grids.indices.min { definition.grids[$0].volume.grid.resolution < definition.grids[$1].volume.grid.resolution }!]
        try connection.copyIn("""
            COPY region (atlas_id, label, name, hemisphere, kind, lobe, gyrus, description, parent_id, centroid_mni) FROM STDIN
            """) { writer in
            for region in definition.regions {
                let parentID = region.parent.flatMap { structureIDs["gyrus:\($0)"] ?? structureIDs["structure:\($0)"] ?? structureIDs["lobe:\($0)"] }
                let centroid = finest.entry(for: Int32(region.label))?.centroid ?? []
                try writer.row([atlasID, region.label, region.name, region.hemisphere, region.kind, region.lobe, region.gyrus,
                                region.description, parentID, centroid])
            }
        }
        let ids = Dictionary(uniqueKeysWithValues: try connection.query(
            "SELECT label, id FROM region WHERE atlas_id = $1", [atlasID]).map { ($0[0].int!, $0[1].int!) })
        try connection.copyIn("COPY region_network (region_id, scheme, network) FROM STDIN") { writer in
            for region in definition.regions {
                for (scheme, network) in region.networks.sorted(by: { $0.key < $1.key }) {
                    try writer.row([ids[region.label]!, scheme, network])
                }
            }
        }
        return ids
    }

    private func writeGrids(_ definition: AtlasDefinition, atlasID: Int, regionIDs: [Int: Int],
                            indexes: [RegionIndex], file: StoredFile) throws {
        for (grid, index) in zip(definition.grids, indexes) {
            let geometry = grid.volume.grid
            let gridID = try connection.query("""
                INSERT INTO atlas_grid (atlas_id, resolution_mm, dims, affine, is_primary, label_file_id, labelled_voxels)
                VALUES ($1, $2, $3::int[], $4, $5, $6, $7) RETURNING id
                """, [atlasID, geometry.resolution, geometry.dimensions, Array(geometry.affine.joined()), grid.isPrimary,
                      file.id, index.voxels.count]).scalar().int!
            try connection.copyIn("COPY region_grid (region_id, grid_id, voxel_count, volume_mm3, voxel_offset, centroid_mni) FROM STDIN") { writer in
                for entry in index.regions {
                    try writer.row([regionIDs[Int(entry.label)]!, gridID, entry.count, Double(entry.count) * index.voxelVolume,
                                    entry.offset, entry.centroid])
                }
            }
        }
    }
}
