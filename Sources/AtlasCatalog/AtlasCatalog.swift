import Foundation
import HDF5Kit
import Imaging
import Postgres
import Store

/// A stored atlas.
public struct AtlasRecord: Sendable, Codable, Equatable {
    public let id: Int
    public let name: String
    public let title: String
    public let version: String
    public let templateSpace: String
    public let citation: String
    public let licence: String
    public let regionCount: Int
    public let grids: [AtlasGridRecord]

    /// The grid subject data is parcellated on.
    public var primaryGrid: AtlasGridRecord { grids.first { $0.isPrimary }! }
}

/// One grid of a stored atlas.
public struct AtlasGridRecord: Sendable, Codable, Equatable {
    public let id: Int
    public let resolution: Double
    public let grid: VoxelGrid
    public let isPrimary: Bool
    public let labelledVoxels: Int
    public let file: StoredFile
}

/// A stored region.
public struct RegionRecord: Sendable, Codable, Equatable {
    public let id: Int
    public let label: Int
    public let name: String
    public let hemisphere: String
    public let kind: String
    public let lobe: String?
    public let gyrus: String?
    public let description: String?
    public let centroid: [Double]
    public let networks: [String: String]
}

/// A region's extent on one grid.
public struct RegionGridRecord: Sendable, Codable, Equatable {
    public let regionID: Int
    public let gridID: Int
    public let voxelCount: Int
    public let volumeMM3: Double
    public let voxelOffset: Int
}

/// Reads atlases back: records, regions, label volumes and per-region voxel lists.
public struct AtlasCatalog {
    public let database: Database

    public init(database: Database) { self.database = database }

    private var connection: PostgresConnection { database.connection }

    public func atlases() throws -> [AtlasRecord] {
        try connection.query("SELECT id FROM atlas ORDER BY name").map { try atlas(id: $0[0].int!) }
    }

    /// The atlas called `name`; a one-line error listing the known atlases when there is none.
    public func atlas(named name: String) throws -> AtlasRecord {
        guard let row = try connection.query("SELECT id FROM atlas WHERE name = $1", [name]).first else {
            let known = try connection.query("SELECT name FROM atlas ORDER BY name").map { $0[0].string! }
            let list = known.isEmpty ? "none imported; run `dtb atlas import brainnetome246`" : "known: " + known.joined(separator: ", ")
            throw StoreError.notFound("atlas '\(name)' does not exist (\(list))")
        }
        return try atlas(id: row[0].int!)
    }

    private func atlas(id: Int) throws -> AtlasRecord {
        let row = try connection.query("""
            SELECT id, name, title, version, template_space, citation, licence, region_count FROM atlas WHERE id = $1
            """, [id])[0]
        let grids = try connection.query("""
            SELECT g.id, g.resolution_mm, g.dims, g.affine, g.is_primary, g.labelled_voxels,
                   f.id AS file_id, f.relative_path, f.sha256, f.size_bytes
              FROM atlas_grid g JOIN data_file f ON f.id = g.label_file_id
             WHERE g.atlas_id = $1 ORDER BY g.resolution_mm DESC
            """, [id]).map { grid in
            let affine = grid["affine"].doubles!
            return AtlasGridRecord(
                id: grid["id"].int!, resolution: grid["resolution_mm"].double!,
                grid: VoxelGrid(dimensions: grid["dims"].ints!, affine: stride(from: 0, to: 16, by: 4).map { Array(affine[$0..<$0 + 4]) }),
                isPrimary: grid["is_primary"].bool!, labelledVoxels: grid["labelled_voxels"].int!,
                file: StoredFile(id: grid["file_id"].int!, relativePath: grid["relative_path"].string!,
                                 sha256: grid["sha256"].string!, size: Int64(grid["size_bytes"].int!)))
        }
        return AtlasRecord(id: row["id"].int!, name: row["name"].string!, title: row["title"].string!,
                           version: row["version"].string!, templateSpace: row["template_space"].string!,
                           citation: row["citation"].string!, licence: row["licence"].string!,
                           regionCount: row["region_count"].int!, grids: grids)
    }

    /// Regions ordered by label.
    public func regions(of atlas: AtlasRecord) throws -> [RegionRecord] {
        try connection.query("""
            SELECT r.id, r.label, r.name, r.hemisphere, r.kind, r.lobe, r.gyrus, r.description, r.centroid_mni,
                   coalesce(json_object_agg(n.scheme, n.network) FILTER (WHERE n.scheme IS NOT NULL), '{}') AS networks
              FROM region r LEFT JOIN region_network n ON n.region_id = r.id
             WHERE r.atlas_id = $1 GROUP BY r.id ORDER BY r.label
            """, [atlas.id]).map { row in
            RegionRecord(id: row["id"].int!, label: row["label"].int!, name: row["name"].string!,
                         hemisphere: row["hemisphere"].string!, kind: row["kind"].string!, lobe: row["lobe"].string,
                         gyrus: row["gyrus"].string, description: row["description"].string,
                         centroid: row["centroid_mni"].doubles!, networks: try row["networks"].decode([String: String].self))
        }
    }

    /// Voxel counts, volumes and voxel-list offsets of every region on `grid`.
    public func regionExtents(on grid: AtlasGridRecord) throws -> [RegionGridRecord] {
        try connection.query("""
            SELECT region_id, grid_id, voxel_count, volume_mm3, voxel_offset FROM region_grid WHERE grid_id = $1 ORDER BY voxel_offset
            """, [grid.id]).map {
            RegionGridRecord(regionID: $0[0].int!, gridID: $0[1].int!, voxelCount: $0[2].int!, volumeMM3: $0[3].double!, voxelOffset: $0[4].int!)
        }
    }

    /// The label volume on `grid` (the primary grid by default), read from the checksum-verified HDF5 file.
    public func labelVolume(of atlas: AtlasRecord, grid: AtlasGridRecord? = nil) throws -> LabelVolume {
        let grid = grid ?? atlas.primaryGrid
        let file = try HDF5File.open(path: try database.files.verify(grid.file).path)
        defer { file.close() }
        let labels = try file.dataset("/\(AtlasFileWriter.groupName(grid.resolution))/labels").read(Int32.self)
        return LabelVolume(grid: grid.grid, labels: labels)
    }

    /// The linear voxel indices (x fastest) of `region` on `grid`: a hyperslab of the voxel list,
    /// so voxel-level models read only the regions they need.
    public func voxels(of region: RegionRecord, on grid: AtlasGridRecord) throws -> [Int32] {
        guard let extent = try connection.query(
            "SELECT voxel_offset, voxel_count FROM region_grid WHERE region_id = $1 AND grid_id = $2", [region.id, grid.id]).first else {
            throw StoreError.notFound("region \(region.name) has no voxels on the \(grid.resolution) mm grid")
        }
        let file = try HDF5File.open(path: database.files.url(of: grid.file.relativePath).path)
        defer { file.close() }
        return try file.dataset("/\(AtlasFileWriter.groupName(grid.resolution))/voxels")
            .read(Int32.self, start: [extent[0].int!], count: [extent[1].int!])
    }
}
