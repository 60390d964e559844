import AtlasCatalog
import Foundation
import Store

/// What `dtb atlas import` asks for.
public struct AtlasImportRequest: Sendable {
    /// Where the atlas comes from.
    public enum Source: Sendable {
        /// A built-in manifest in `Atlases/` (brainnetome246, cortsub374).
        case builtin
        /// A label volume (NIfTI, integer labels) and its region table (LUT, dseg TSV or CSV).
        case labelVolume(URL, table: URL, templateSpace: String, title: String?)
    }

    /// The atlas's name: a built-in name, or the name a user atlas is stored under.
    public var name: String
    public var source: Source
    /// Atlas mirror directory; nil: `DTB_ATLAS_MIRROR`, else download.
    public var mirror: URL?

    public init(name: String, source: Source = .builtin, mirror: URL? = nil) {
        self.name = name; self.source = source; self.mirror = mirror
    }
}

/// A stored atlas as `dtb atlas list` shows it.
public struct AtlasListing: Sendable, Codable, Equatable {
    public var name: String
    public var title: String
    public var templateSpace: String
    public var regions: Int
    /// The resolutions of its grids, coarsest first.
    public var gridsMM: [Double]

    enum CodingKeys: String, CodingKey { case name, title, templateSpace = "template_space", regions, gridsMM = "grids_mm" }
}

/// Which regions `dtb atlas regions` lists; a nil field matches every region.
public struct RegionFilter: Sendable, Equatable {
    public var lobe: String?
    public var gyrus: String?
    /// left, right or bilateral.
    public var hemisphere: String?
    /// cortical or subcortical.
    public var kind: String?

    public init(lobe: String? = nil, gyrus: String? = nil, hemisphere: String? = nil, kind: String? = nil) {
        self.lobe = lobe; self.gyrus = gyrus; self.hemisphere = hemisphere; self.kind = kind
    }

    /// True when `region` has every field the filter names.
    public func matches(_ region: RegionRecord) -> Bool {
        (lobe == nil || region.lobe == lobe) && (gyrus == nil || region.gyrus == gyrus)
            && (hemisphere == nil || region.hemisphere == hemisphere) && (kind == nil || region.kind == kind)
    }
}

/// A region with its extent on the atlas's primary grid.
public struct RegionRow: Sendable, Codable, Equatable {
    public var region: RegionRecord
    public var voxels: Int
    public var volumeMM3: Double

    enum CodingKeys: String, CodingKey { case region, voxels, volumeMM3 = "volume_mm3" }
}

/// Atlases: importing them and reading them back.
public struct AtlasService {
    public let database: Database
    public let environment: ServiceEnvironment

    public init(database: Database, environment: ServiceEnvironment) {
        self.database = database; self.environment = environment
    }

    private var catalog: AtlasCatalog { AtlasCatalog(database: database) }

    /// Imports a built-in or a user atlas; a failed import stores nothing.
    public func importAtlas(_ request: AtlasImportRequest, progress: (String) -> Void) throws -> AtlasImportOutcome {
        let importer = AtlasImporter(database: database, mirror: request.mirror ?? environment.atlasMirror,
                                     environment: environment.variables)
        progress("importing atlas \(request.name)…")
        switch request.source {
        case .builtin:
            return try importer.importBuiltin(request.name)
        case let .labelVolume(volume, table, space, title):
            return try importer.importAtlas(name: request.name, labelVolume: volume, labelTable: table,
                                            templateSpace: space, title: title)
        }
    }

    /// Every stored atlas, by name.
    public func list() throws -> [AtlasListing] {
        try catalog.atlases().map {
            AtlasListing(name: $0.name, title: $0.title, templateSpace: $0.templateSpace, regions: $0.regionCount,
                         gridsMM: $0.grids.map(\.resolution))
        }
    }

    /// Hemispheres, kinds, grids and hierarchy of the atlas `name`.
    public func summary(of name: String) throws -> AtlasSummary {
        try catalog.summary(of: catalog.atlas(named: name))
    }

    /// The atlas's regions that match `filter`, in label order, with their extents on the primary grid.
    public func regions(of name: String, matching filter: RegionFilter) throws -> [RegionRow] {
        let atlas = try catalog.atlas(named: name)
        let extents = Dictionary(uniqueKeysWithValues: try catalog.regionExtents(on: atlas.primaryGrid).map { ($0.regionID, $0) })
        return try catalog.regions(of: atlas).filter(filter.matches).map {
            RegionRow(region: $0, voxels: extents[$0.id]?.voxelCount ?? 0, volumeMM3: extents[$0.id]?.volumeMM3 ?? 0)
        }
    }
}
