import AtlasCatalog
import Foundation
import HDF5Kit
import Postgres
import Store
import TwinBuilder

/// What a twin's units are: the atlas regions, or the atlas voxels inside the subject's gray matter.
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
    /// Measure id per role (gray-matter volume, synaptic density, tract density and length); a
    /// role is absent when the subject has no such measure on the atlas.
    public var measures: [MeasureKind: Int]
}

/// Reads ``TwinInputs`` from the subject tables: for each measure kind, the subject's most
/// recently ingested measure on the atlas (any session).
public struct TwinInputReader {
    public let database: Database
    public init(database: Database) { self.database = database }
    private var connection: PostgresConnection { database.connection }

    /// The measure kinds a build reads, in the order `twin_version_input` lists them.
    public static let roles: [MeasureKind] = [.grayMatterVolume, .synapticDensity, .tractDensity, .tractLength]

    /// - Parameter reference: names of the SV2A reference (V1) regions; nil takes the atlas
    ///   manifest's `sv2a_reference`.
    /// - Parameter threshold: voxel level: the gray-matter probability a voxel needs to be a unit.
    public func inputs(subject label: String, atlas name: String, level: TwinLevel,
                       reference: [String]? = nil, threshold: Double = 0.5) throws -> TwinInputs {
        let subjectID = try Self.subjectID(label, on: connection)
        let atlas = try AtlasCatalog(database: database).atlas(named: name)
        let regions = try AtlasCatalog(database: database).regions(of: atlas)
        let measures = try latestMeasures(subject: subjectID, atlas: atlas.id)
        guard let gm = measures[.grayMatterVolume] else {
            throw TwinError.missingData("subject \(Self.bare(label)) has no gray-matter volume on atlas \(atlas.name); ingest a T1w gray-matter map (derivatives …_label-GM_probseg.nii.gz) first")
        }
        let ids = regions.map(\.id)
        let context = Context(subject: Self.bare(label), atlas: atlas, regions: regions, measures: measures,
                              density: try measures[.tractDensity].map { try matrix(measure: $0, regions: ids) },
                              length: try measures[.tractLength].map { try matrix(measure: $0, regions: ids) },
                              reference: try reference ?? Self.defaultReference(atlas: atlas.name))
        return level == .voxel ? try voxelInputs(context, grayMatter: gm, threshold: threshold)
                               : try regionInputs(context, grayMatter: gm)
    }

    /// What both levels read: the subject's measures on the atlas and its tract matrices by region.
    struct Context {
        var subject: String
        var atlas: AtlasRecord
        var regions: [RegionRecord]
        var measures: [MeasureKind: Int]
        var density: [[Double]]?
        var length: [[Double]]?
        var reference: [String]
    }

    func regionInputs(_ c: Context, grayMatter gm: Int) throws -> TwinInputs {
        let grayMatter = try regionalValues(measure: gm)
        let sv2a = try c.measures[.synapticDensity].map(regionalValues) ?? [:]
        let units = try c.regions.map { region in
            guard let volume = grayMatter[region.id] else {
                throw TwinError.missingData("subject \(c.subject): region \(region.name) has no gray-matter voxels in measure \(gm) on atlas \(c.atlas.name)")
            }
            return UnitRecord(name: region.name, kind: region.kind == "cortical" ? .cortical : .subcortical,
                              grayMatterVolume: volume, sv2a: sv2a[region.id], centroid: region.centroid)
        }
        let records = SubjectRecords(units: units, tractDensity: c.density, tractLength: c.length, v1Units: c.reference)
        return TwinInputs(subject: c.subject, atlas: c.atlas, level: .region, records: records,
                          unitLabels: c.regions.map(\.label), measures: c.measures)
    }

    func voxelInputs(_ c: Context, grayMatter gm: Int, threshold: Double) throws -> TwinInputs {
        let voxels = try VoxelUnits(reader: self, atlas: c.atlas, regions: c.regions, grayMatter: gm,
                                    sv2a: c.measures[.synapticDensity], threshold: threshold, subject: c.subject)
        let reference = Set(c.reference)
        let v1Voxels = voxels.units.indices.filter { reference.contains(c.regions[voxels.region[$0]].name) }.map { voxels.units[$0].name }
        if c.measures[.synapticDensity] != nil && v1Voxels.isEmpty {
            throw TwinError.missingData("subject \(c.subject): no voxel of the SV2A reference regions (\(c.reference.joined(separator: ", "))) reaches gray-matter probability \(threshold)")
        }
        // Tract rows of regions with units only, numbered in region order.
        let used = Array(Set(voxels.region)).sorted()
        let group = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        func subset(_ m: [[Double]]) -> [[Double]] { used.map { r in used.map { m[r][$0] } } }
        let records = SubjectRecords(units: voxels.units, tractDensity: c.density.map(subset), tractLength: c.length.map(subset),
                                     v1Units: v1Voxels, tractGroups: voxels.region.map { group[$0]! })
        return TwinInputs(subject: c.subject, atlas: c.atlas, level: .voxel, records: records,
                          unitLabels: voxels.region.map { c.regions[$0].label }, measures: c.measures)
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
    func latestMeasures(subject: Int, atlas: Int) throws -> [MeasureKind: Int] {
        var out: [MeasureKind: Int] = [:]
        for row in try connection.query("""
            SELECT DISTINCT ON (m.kind) m.kind, m.id
              FROM measure m JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
             WHERE se.subject_id = $1 AND m.atlas_id = $2 AND m.kind = ANY ($3)
             ORDER BY m.kind, m.id DESC
            """, [subject, atlas, Self.roles.map(\.rawValue)]) {
            out[MeasureKind(rawValue: row[0].string!)!] = row[1].int!
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

    /// The tract density a region-level version was built from, in its unit order (`labels`: the
    /// units' region labels); nil when it was built without one (a fallback) or is a voxel twin.
    func structure(versionID: Int, labels: [Int]) throws -> [[Double]]? {
        guard let measure = try connection.query("""
            SELECT i.measure_id FROM twin_version_input i JOIN twin_version v ON v.id = i.twin_version_id JOIN twin t ON t.id = v.twin_id
             WHERE i.twin_version_id = $1 AND i.role = 'tract_density' AND t.level = 'region'
            """, [versionID]).first?[0].int else { return nil }
        let ids = Dictionary(uniqueKeysWithValues: try connection.query("""
            SELECT r.label, r.id FROM region r JOIN twin t ON t.atlas_id = r.atlas_id JOIN twin_version v ON v.twin_id = t.id WHERE v.id = $1
            """, [versionID]).map { ($0[0].int!, $0[1].int!) })
        return try matrix(measure: measure, regions: labels.compactMap { ids[$0] })
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

/// The gray-matter voxels of a subject on an atlas, as twin units: every labelled voxel of the
/// subject's gray-matter map whose probability reaches the threshold, in the atlas's region order
/// (then voxel index). A unit's gray-matter volume is probability × voxel volume; its SV2A is the
/// PET map's value at that voxel; its tract group is its region.
struct VoxelUnits {
    var units: [UnitRecord] = []
    /// Region position (in atlas label order) of each unit.
    var region: [Int] = []

    init(reader: TwinInputReader, atlas: AtlasRecord, regions: [RegionRecord], grayMatter: Int, sv2a: Int?,
         threshold: Double, subject: String) throws {
        guard threshold.isFinite, threshold >= 0, threshold < 1 else {
            throw TwinError.invalid("gray-matter threshold \(threshold) must lie in [0, 1)")
        }
        let gm = try reader.voxelValues(measure: grayMatter, atlas: atlas)
        let pet = try sv2a.map { try reader.voxelValues(measure: $0, atlas: atlas) }
        if let pet, pet.grid != gm.grid {
            throw TwinError.missingData("subject \(subject): the SV2A PET map (measure \(sv2a!)) is not on the gray-matter map's grid; a voxel-level twin needs both on one atlas grid")
        }
        let petAt = pet.map { Dictionary(uniqueKeysWithValues: zip($0.index, $0.values)) }
        let labels = try AtlasCatalog(database: reader.database).labelVolume(of: atlas, grid: gm.grid).labels
        let position = Dictionary(uniqueKeysWithValues: regions.enumerated().map { ($1.label, $0) })
        let voxelVolume = gm.grid.grid.voxelVolume
        var order: [(region: Int, voxel: Int32, probability: Double)] = []
        for (voxel, probability) in zip(gm.index, gm.values) where Double(probability) >= threshold {
            guard let r = position[Int(labels[Int(voxel)])] else { continue }
            order.append((r, voxel, Double(probability)))
        }
        order.sort { ($0.region, $0.voxel) < ($1.region, $1.voxel) }
        guard !order.isEmpty else {
            throw TwinError.missingData("subject \(subject): no voxel of the gray-matter map reaches probability \(threshold) on atlas \(atlas.name)")
        }
        for item in order {
            let world = gm.grid.grid.world(index: Int(item.voxel))
            let value = petAt.map { $0[item.voxel].map(Double.init) ?? .nan }
            units.append(UnitRecord(name: "\(regions[item.region].name)@\(item.voxel)", kind: .voxel,
                                    grayMatterVolume: item.probability * voxelVolume, sv2a: value,
                                    centroid: [world.x, world.y, world.z]))
            region.append(item.region)
        }
    }
}

extension TwinInputReader {
    /// A map measure's voxel values in the atlas voxel-list order, their linear voxel indices
    /// and the atlas grid they are on (not resampled: a voxel-level twin needs the atlas's own grid).
    func voxelValues(measure: Int, atlas: AtlasRecord) throws -> (values: [Float], index: [Int32], grid: AtlasGridRecord) {
        let row = try database.connection.query("""
            SELECT m.grid_id, m.resampled, d.relative_path, d.sha256, d.size_bytes, d.id
              FROM measure m LEFT JOIN data_file d ON d.id = m.file_id WHERE m.id = $1
            """, [measure]).first!
        guard let gridID = row["grid_id"].int, row["resampled"].bool == false, let path = row["relative_path"].string,
              let grid = atlas.grids.first(where: { $0.id == gridID }) else {
            throw TwinError.missingData("measure \(measure) is not on one of atlas \(atlas.name)'s grids (resampled or without voxel values); a voxel-level twin needs maps on the atlas grid")
        }
        let url = try database.files.verify(StoredFile(id: row["id"].int!, relativePath: path, sha256: row["sha256"].string!,
                                                       size: Int64(row["size_bytes"].int!)))
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        let values = try file.dataset("/\(atlas.name)/voxels").read(Float.self)
        let index = try file.dataset("/\(atlas.name)/voxel_index").read(Int32.self)
        return (values, index, grid)
    }
}
