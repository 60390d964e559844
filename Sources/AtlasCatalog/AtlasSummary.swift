import Foundation
import Postgres
import Store

/// What `dtb atlas show` prints: counts per hemisphere and kind, the grids, and the hierarchy
/// (lobe → gyrus, or cortex/subcortex) with the number of regions under each node.
///
/// JSON shape (stable): `{"name", "title", "version", "template_space", "citation", "licence",
/// "regions", "hemispheres": {side: n}, "kinds": {kind: n}, "levels": {level: n},
/// "grids": [{"resolution_mm", "dimensions", "labelled_voxels", "primary", "sha256"}],
/// "hierarchy": [{"level", "name", "description", "regions", "children": [...]}]}`.
public struct AtlasSummary: Codable, Sendable, Equatable {
    public struct Grid: Codable, Sendable, Equatable {
        public let resolutionMM: Double
        public let dimensions: [Int]
        public let labelledVoxels: Int
        public let primary: Bool
        public let sha256: String
        enum CodingKeys: String, CodingKey {
            case resolutionMM = "resolution_mm", dimensions, labelledVoxels = "labelled_voxels", primary, sha256
        }
    }

    public struct Node: Codable, Sendable, Equatable {
        public let level: String
        public let name: String
        public let description: String?
        public let regions: Int
        public let children: [Node]
    }

    public let name: String
    public let title: String
    public let version: String
    public let templateSpace: String
    public let citation: String
    public let licence: String
    public let regions: Int
    public let hemispheres: [String: Int]
    public let kinds: [String: Int]
    /// Number of hierarchy nodes per level (e.g. 7 lobes, 24 gyri).
    public let levels: [String: Int]
    public let grids: [Grid]
    public let hierarchy: [Node]

    enum CodingKeys: String, CodingKey {
        case name, title, version, templateSpace = "template_space", citation, licence, regions, hemispheres, kinds,
             levels, grids, hierarchy
    }
}

extension AtlasCatalog {
    public func summary(of atlas: AtlasRecord) throws -> AtlasSummary {
        let connection = database.connection
        func counts(_ column: String) throws -> [String: Int] {
            Dictionary(uniqueKeysWithValues: try connection.query(
                "SELECT \(column), count(*) FROM region WHERE atlas_id = $1 GROUP BY 1", [atlas.id]).map { ($0[0].string!, $0[1].int!) })
        }
        let structures = try connection.query("""
            SELECT s.id, s.level, s.name, s.description, s.parent_id,
                   (SELECT count(*) FROM region r WHERE r.parent_id = s.id) AS direct
              FROM atlas_structure s WHERE s.atlas_id = $1 ORDER BY s.id
            """, [atlas.id])
        func node(_ id: Int) -> AtlasSummary.Node {
            let row = structures.first { $0["id"].int == id }!
            let children = structures.filter { $0["parent_id"].int == id }.map { node($0["id"].int!) }
            return .init(level: row["level"].string!, name: row["name"].string!, description: row["description"].string,
                         regions: row["direct"].int! + children.reduce(0) { $0 + $1.regions }, children: children)
        }
        let roots = structures.filter { $0["parent_id"].isNull }.map { node($0["id"].int!) }
        return AtlasSummary(
            name: atlas.name, title: atlas.title, version: atlas.version, templateSpace: atlas.templateSpace,
            citation: atlas.citation, licence: atlas.licence, regions: atlas.regionCount,
            hemispheres: try counts("hemisphere"), kinds: try counts("kind"),
            levels: Dictionary(structures.map { ($0["level"].string!, 1) }, uniquingKeysWith: +),
            grids: atlas.grids.map { .init(resolutionMM: $0.resolution, dimensions: $0.grid.dimensions,
                                           labelledVoxels: $0.labelledVoxels, primary: $0.isPrimary, sha256: $0.file.sha256) },
            hierarchy: roots)
    }
}
