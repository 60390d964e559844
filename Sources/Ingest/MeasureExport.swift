import Foundation
import HDF5Kit
import Postgres
import Store

/// One stored measure given back as data (`dtb subject export`): regional values, a connectome or
/// region time series, in the atlas's label order, with what it is and where it came from.
///
/// ``tsv()`` writes the region-level file `dtb ingest --derivative` reads back (see
/// ``SubjectIngester/ingestDerivatives(_:pipeline:version:options:progress:)``), named by
/// ``fileName(subject:session:)``, with ``sidecar()`` beside it: the same stored values again.
public struct MeasureExport: Sendable, Codable, Equatable {
    /// An atlas region: its integer label and name.
    public struct Region: Sendable, Codable, Equatable {
        public var label: Int
        public var name: String
    }

    public var subject: String
    /// "" for a subject without sessions.
    public var session: String
    public var measureId: Int
    public var kind: MeasureKind
    public var atlas: String
    public var unit: String
    /// Pipeline name and version (the provenance).
    public var pipeline: String
    /// The stored file (scan version) the measure was derived from.
    public var scanPath: String
    public var scanVersion: Int
    /// The atlas's regions in label order: the order of `values`, matrix rows and columns, series columns.
    public var regions: [Region]
    /// gm_volume, synaptic_density: one value per region; nil where the region has none stored.
    public var values: [Double?]?
    /// tract_density, tract_length: `matrix[source][target]`.
    public var matrix: [[Double]]?
    /// bold_timeseries: `series[frame][region]`.
    public var series: [[Float]]?
    /// bold_timeseries: seconds between frames.
    public var repetitionTime: Double?

    /// The value column of a regional table (what ``RegionTable`` reads).
    var valueColumn: String { kind == .grayMatterVolume ? "gm_volume" : "suvr" }

    /// Tab-separated text: `index`, `name` and the value column (`gm_volume`, `suvr`; `n/a` where a
    /// region has no value, which an ingest refuses); a connectome as a header of region names and
    /// one row per source region; a time series as a header of region names and one row per frame.
    public func tsv() -> String {
        let names = regions.map(\.name).joined(separator: "\t")
        var lines: [String]
        if let values {
            lines = ["index\tname\t\(valueColumn)"]
            lines += zip(regions, values).map { "\($0.label)\t\($0.name)\t\($1.map { "\($0)" } ?? "n/a")" }
        } else if let matrix {
            lines = [names] + matrix.map { $0.map { "\($0)" }.joined(separator: "\t") }
        } else {
            lines = [names] + (series ?? []).map { $0.map { "\($0)" }.joined(separator: "\t") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON sidecar that goes beside ``tsv()``: `Units`, and a time series' `RepetitionTime`.
    public func sidecar() -> String {
        var object: [String: Any] = ["Units": unit]
        if let repetitionTime { object["RepetitionTime"] = repetitionTime }
        return jsonText(object) + "\n"
    }

    /// The region-level BIDS name ``tsv()`` is ingested under, for `subject` and `session`.
    public func fileName(subject: String, session: String) -> String {
        let stem = "sub-\(subject)" + (session.isEmpty ? "" : "_ses-\(session)")
        switch kind {
        case .grayMatterVolume: return "\(stem)_atlas-\(atlas)_desc-gm_morph.tsv"
        case .synapticDensity: return "\(stem)_atlas-\(atlas)_desc-sv2a_pet.tsv"
        case .tractDensity: return "\(stem)_atlas-\(atlas)_desc-density_connectome.tsv"
        case .tractLength: return "\(stem)_atlas-\(atlas)_desc-length_connectome.tsv"
        case .boldTimeseries: return "\(stem)_atlas-\(atlas)_timeseries.tsv"
        }
    }
}

/// Which stored measure ``SubjectCatalog/export(_:selecting:atlas:)`` gives back.
public enum MeasureSelection: Sendable, Equatable {
    /// This measure (its id, as `dtb subject show` lists it).
    case id(Int)
    /// The subject's most recently ingested measure of this kind (the one a twin build reads).
    case latest(MeasureKind)
}

extension SubjectCatalog {
    /// The measure of subject `label` that `selection` names; `atlas` narrows a `.latest` choice
    /// and must be given when the subject has that kind on several atlases.
    public func export(_ label: String, selecting selection: MeasureSelection, atlas: String? = nil) throws -> MeasureExport {
        let subject = label.hasPrefix("sub-") ? String(label.dropFirst(4)) : label
        let detail = try self.subject(subject)
        let measure = try chosen(detail, selection: selection, atlas: atlas)
        let regions = try database.connection.query("""
            SELECT r.label, r.name FROM region r JOIN atlas a ON a.id = r.atlas_id WHERE a.name = $1 ORDER BY r.label
            """, [measure.atlas]).map { MeasureExport.Region(label: $0[0].int!, name: $0[1].string!) }
        var export = MeasureExport(subject: subject, session: measure.session, measureId: measure.id, kind: measure.kind,
                                   atlas: measure.atlas, unit: measure.unit, pipeline: measure.pipeline,
                                   scanPath: measure.scanPath, scanVersion: measure.scanVersion, regions: regions)
        switch measure.kind {
        case .grayMatterVolume, .synapticDensity:
            let stored = Dictionary(uniqueKeysWithValues: try regionalValues(measureID: measure.id).map { ($0.label, $0.value) })
            export.values = regions.map { stored[$0.label] }
        case .tractDensity, .tractLength:
            let (labels, flat) = try connectome(measureID: measure.id)
            export.matrix = labels.indices.map { i in Array(flat[i * labels.count ..< (i + 1) * labels.count]) }
        case .boldTimeseries:
            export.series = try series(measureID: measure.id, atlas: measure.atlas, labels: regions.map(\.label))
            export.repetitionTime = measure.repetitionTime
        }
        return export
    }

    private func chosen(_ detail: SubjectDetail, selection: MeasureSelection, atlas: String?) throws -> MeasureInfo {
        let candidates = detail.measures.filter { atlas == nil || $0.atlas == atlas }
        switch selection {
        case .id(let id):
            guard let measure = candidates.first(where: { $0.id == id }) else {
                let known = detail.measures.map { "\($0.id) (\($0.atlas) \($0.kind.rawValue))" }.joined(separator: ", ")
                throw StoreError.notFound("measure \(id) is not a measure of subject \(detail.label)\(atlas.map { " on atlas \($0)" } ?? "") (its measures: \(known.isEmpty ? "none" : known))")
            }
            return measure
        case .latest(let kind):
            let ofKind = candidates.filter { $0.kind == kind }
            let atlases = Set(ofKind.map(\.atlas)).sorted()
            guard let latest = ofKind.max(by: { $0.id < $1.id }) else {
                throw StoreError.notFound("subject \(detail.label) has no \(kind.rawValue) measure\(atlas.map { " on atlas \($0)" } ?? "")")
            }
            guard atlases.count == 1 else {
                throw StoreError.conflict("subject \(detail.label) has \(kind.rawValue) on atlases \(atlases.joined(separator: ", ")); name one with --atlas")
            }
            return latest
        }
    }

    /// A stored region time series (`/<atlas>/series`, frames × regions, checksum verified), its
    /// columns put in `labels` order.
    public func series(measureID: Int, atlas: String, labels: [Int]) throws -> [[Float]] {
        guard let row = try database.connection.query("""
            SELECT d.id, d.relative_path, d.sha256, d.size_bytes FROM measure m JOIN data_file d ON d.id = m.file_id WHERE m.id = $1
            """, [measureID]).first else {
            throw StoreError.file("measure \(measureID): its time series file is not recorded")
        }
        let url = try database.files.verify(StoredFile(id: row[0].int!, relativePath: row[1].string!, sha256: row[2].string!,
                                                       size: Int64(row[3].int!)))
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        let stored = try file.dataset("/\(atlas)/labels").read(Int32.self).map(Int.init)
        let flat = try file.dataset("/\(atlas)/series").read(Float.self)
        let columns = Dictionary(stored.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        guard !stored.isEmpty, flat.count % stored.count == 0, labels.allSatisfy({ columns[$0] != nil }) else {
            throw StoreError.file("\(url.path): /\(atlas)/series does not hold one column per region of atlas \(atlas)")
        }
        let frames = flat.count / stored.count
        return (0..<frames).map { f in labels.map { flat[f * stored.count + columns[$0]!] } }
    }
}
