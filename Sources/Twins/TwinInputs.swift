import AtlasCatalog
import Foundation
import Postgres
import Store
import TwinBuilder

/// What a twin's units are: the atlas regions, or (later) the atlas voxels inside gray matter.
public enum TwinLevel: String, Sendable, Codable, CaseIterable {
    case region
    case voxel
}

/// A subject's records on one atlas, read from what `dtb ingest` stored, with the measures they
/// came from (so that a version can name the exact scan versions it used).
public struct TwinInputs: Sendable {
    public var subject: String
    public var atlas: AtlasRecord
    public var level: TwinLevel
    public var records: SubjectRecords
    /// Region label of each unit, in unit order.
    public var unitLabels: [Int]
    /// Measure id per role (`gm_volume`, `synaptic_density`, `tract_density`, `tract_length`);
    /// a role is absent when the subject has no such measure on the atlas.
    public var measures: [String: Int]
}

/// Reads ``TwinInputs`` from the subject tables: for each measure kind, the subject's most
/// recently ingested measure on the atlas (any session).
public struct TwinInputReader {
    public let database: Database
    public init(database: Database) { self.database = database }
    private var connection: PostgresConnection { database.connection }

    /// The measure kinds a build reads, in the order `twin_version_input` lists them.
    public static let roles = ["gm_volume", "synaptic_density", "tract_density", "tract_length"]

    /// - Parameter reference: names of the SV2A reference (V1) regions; nil takes the atlas
    ///   manifest's `sv2a_reference`.
    public func inputs(subject label: String, atlas name: String, level: TwinLevel,
                       reference: [String]? = nil) throws -> TwinInputs {
        guard level == .region else {
            throw TwinError.unsupported("voxel-level twins are not built yet; use --level region")
        }
        let subjectID = try Self.subjectID(label, on: connection)
        let atlas = try AtlasCatalog(database: database).atlas(named: name)
        let regions = try AtlasCatalog(database: database).regions(of: atlas)
        let measures = try latestMeasures(subject: subjectID, atlas: atlas.id)
        guard let gm = measures["gm_volume"] else {
            throw TwinError.missingData("subject \(Self.bare(label)) has no gray-matter volume on atlas \(atlas.name); ingest a T1w gray-matter map (derivatives …_label-GM_probseg.nii.gz) first")
        }
        let grayMatter = try regionalValues(measure: gm)
        let sv2a = try measures["synaptic_density"].map(regionalValues) ?? [:]
        var units: [UnitRecord] = []
        for region in regions {
            guard let volume = grayMatter[region.id] else {
                throw TwinError.missingData("subject \(Self.bare(label)): region \(region.name) has no gray-matter voxels in measure \(gm) on atlas \(atlas.name)")
            }
            units.append(UnitRecord(name: region.name, kind: region.kind == "cortical" ? .cortical : .subcortical,
                                    grayMatterVolume: volume, sv2a: sv2a[region.id], centroid: region.centroid))
        }
        let ids = regions.map(\.id)
        let density = try measures["tract_density"].map { try matrix(measure: $0, regions: ids) }
        let length = try measures["tract_length"].map { try matrix(measure: $0, regions: ids) }
        let v1 = try reference ?? Self.defaultReference(atlas: atlas.name)
        let records = SubjectRecords(units: units, tractDensity: density, tractLength: length, v1Units: v1)
        return TwinInputs(subject: Self.bare(label), atlas: atlas, level: level, records: records,
                          unitLabels: regions.map(\.label), measures: measures)
    }

    /// The atlas manifest's SV2A reference regions (Brainnetome: the MVOcC subregions; cortsub374:
    /// V1); an empty list for atlases without one (a build with SV2A then needs them named).
    static func defaultReference(atlas: String) throws -> [String] {
        guard AtlasManifest.builtinNames().contains(atlas) else { return [] }
        return try AtlasManifest.builtin(atlas).sv2aReference ?? []
    }

    static func bare(_ label: String) -> String { label.hasPrefix("sub-") ? String(label.dropFirst(4)) : label }

    static func subjectID(_ label: String, on connection: PostgresConnection) throws -> Int {
        if let id = try connection.query("SELECT id FROM subject WHERE label = $1", [bare(label)]).first?[0].int { return id }
        let known = try connection.query("SELECT label FROM subject ORDER BY label").map { $0[0].string! }
        throw TwinError.notFound("subject '\(bare(label))' does not exist (\(known.isEmpty ? "none ingested; run `dtb ingest BIDS_ROOT`" : "known: " + known.joined(separator: ", ")))")
    }

    /// Per kind, the id of the subject's most recently ingested measure on the atlas.
    func latestMeasures(subject: Int, atlas: Int) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try connection.query("""
            SELECT DISTINCT ON (m.kind) m.kind, m.id
              FROM measure m JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
             WHERE se.subject_id = $1 AND m.atlas_id = $2 AND m.kind = ANY ($3)
             ORDER BY m.kind, m.id DESC
            """, [subject, atlas, Self.roles]) {
            out[row[0].string!] = row[1].int!
        }
        return out
    }

    func regionalValues(measure: Int) throws -> [Int: Double] {
        var out: [Int: Double] = [:]
        for row in try connection.query("SELECT region_id, value FROM regional_value WHERE measure_id = $1", [measure]) {
            out[row[0].int!] = row[1].double!
        }
        return out
    }

    /// A connectome as `[target][source]` in region order (the builder's orientation: a row lists
    /// a unit's inputs).
    func matrix(measure: Int, regions: [Int]) throws -> [[Double]] {
        let position = Dictionary(uniqueKeysWithValues: regions.enumerated().map { ($1, $0) })
        var m = [[Double]](repeating: [Double](repeating: 0, count: regions.count), count: regions.count)
        for row in try connection.query("""
            SELECT source_region_id, target_region_id, value FROM connectome_edge WHERE measure_id = $1
            """, [measure]) {
            guard let s = position[row[0].int!], let t = position[row[1].int!] else { continue }
            m[t][s] = row[2].double!
        }
        return m
    }
}
