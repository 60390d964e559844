import Foundation
import Postgres
import Store

/// A subject as `dtb subject list` shows it.
public struct SubjectSummary: Sendable, Codable, Equatable {
    public var label: String
    public var dataset: String
    public var sessions: [String]
    /// Latest versions of scans (raw and derivative files).
    public var scans: Int
    public var measures: Int
}

/// One stored version of a file.
public struct ScanInfo: Sendable, Codable, Equatable {
    public var id: Int
    public var session: String
    public var modality: String
    public var suffix: String
    public var path: String
    public var version: Int
    public var sha256: String
    public var sizeBytes: Int
    /// Pipeline name and version for a derivative; nil for a raw scan.
    public var pipeline: String?
    public var ingestedAt: String
}

/// A measure with, when asked for, its values.
public struct MeasureInfo: Sendable, Codable, Equatable {
    public struct Value: Sendable, Codable, Equatable {
        public var label: Int
        public var region: String
        public var value: Double
        public var voxels: Int
    }
    public var id: Int
    public var session: String
    public var scanPath: String
    public var scanVersion: Int
    public var atlas: String
    public var kind: MeasureKind
    public var unit: String
    public var pipeline: String
    public var regions: Int
    /// Regional rows (or connectome edges) stored.
    public var rows: Int
    public var frames: Int?
    public var repetitionTime: Double?
    public var maskedVoxels: Int
    public var resampled: Bool
    /// HDF5 file (relative to the data home's files/) with voxel values or time series.
    public var file: String?
    /// Regional values (gm_volume, synaptic_density; bold_timeseries: temporal mean), label order.
    public var values: [Value]?
}

/// A subject's full record.
public struct SubjectDetail: Sendable, Codable, Equatable {
    public var label: String
    public var dataset: String
    public var participant: [String: String]
    public var sessions: [String]
    /// Every version of every file, by session and path.
    public var scans: [ScanInfo]
    /// Measures of every scan version, by session, atlas and kind.
    public var measures: [MeasureInfo]
}

/// Reads subjects back for `dtb subject`.
public struct SubjectCatalog {
    public let database: Database
    public init(database: Database) { self.database = database }
    private var connection: PostgresConnection { database.connection }

    public func subjects() throws -> [SubjectSummary] {
        try connection.query("""
            SELECT su.label, su.dataset,
                   coalesce(array_agg(DISTINCT se.label ORDER BY se.label) FILTER (WHERE se.id IS NOT NULL), '{}') AS sessions,
                   (SELECT count(DISTINCT (sc.session_id, sc.bids_path)) FROM scan sc JOIN session s2 ON s2.id = sc.session_id WHERE s2.subject_id = su.id) AS scans,
                   (SELECT count(*) FROM measure m JOIN scan sc ON sc.id = m.scan_id JOIN session s2 ON s2.id = sc.session_id WHERE s2.subject_id = su.id) AS measures
              FROM subject su LEFT JOIN session se ON se.subject_id = su.id
             GROUP BY su.id ORDER BY su.label
            """).map {
            SubjectSummary(label: $0["label"].string!, dataset: $0["dataset"].string!, sessions: $0["sessions"].strings ?? [],
                           scans: $0["scans"].int!, measures: $0["measures"].int!)
        }
    }

    /// The subject `label` (with or without `sub-`), with regional values when `values` is true.
    public func subject(_ label: String, values: Bool = false) throws -> SubjectDetail {
        let label = label.hasPrefix("sub-") ? String(label.dropFirst(4)) : label
        guard let row = try connection.query("SELECT id, dataset, participant FROM subject WHERE label = $1", [label]).first else {
            let known = try connection.query("SELECT label FROM subject ORDER BY label").map { $0[0].string! }
            throw StoreError.notFound("subject '\(label)' does not exist (\(known.isEmpty ? "none ingested; run `dtb ingest BIDS_ROOT`" : "known: " + known.joined(separator: ", ")))")
        }
        let id = row["id"].int!
        let sessions = try connection.query("SELECT label FROM session WHERE subject_id = $1 ORDER BY label", [id]).map { $0[0].string! }
        let scans = try connection.query("""
            SELECT sc.id, se.label AS session, sc.modality, sc.suffix, sc.bids_path, sc.version, sc.sha256, sc.size_bytes,
                   p.name || ' ' || p.version AS pipeline, to_char(sc.ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at
              FROM scan sc JOIN session se ON se.id = sc.session_id LEFT JOIN pipeline p ON p.id = sc.pipeline_id
             WHERE se.subject_id = $1 ORDER BY se.label, sc.bids_path, sc.version
            """, [id]).map {
            ScanInfo(id: $0["id"].int!, session: $0["session"].string!, modality: $0["modality"].string!, suffix: $0["suffix"].string!,
                     path: $0["bids_path"].string!, version: $0["version"].int!, sha256: $0["sha256"].string!,
                     sizeBytes: $0["size_bytes"].int!, pipeline: $0["pipeline"].string?.trimmingCharacters(in: .whitespaces),
                     ingestedAt: $0["at"].string!)
        }
        var measures = try connection.query("""
            SELECT m.id, se.label AS session, sc.bids_path, sc.version, a.name AS atlas, m.kind, m.unit,
                   p.name || ' ' || p.version AS pipeline, m.region_count, m.frames, m.repetition_time, m.masked_voxels,
                   m.resampled, f.relative_path,
                   (SELECT count(*) FROM regional_value v WHERE v.measure_id = m.id)
                 + (SELECT count(*) FROM connectome_edge e WHERE e.measure_id = m.id) AS rows
              FROM measure m JOIN scan sc ON sc.id = m.scan_id JOIN session se ON se.id = sc.session_id
              JOIN atlas a ON a.id = m.atlas_id JOIN pipeline p ON p.id = m.pipeline_id
              LEFT JOIN data_file f ON f.id = m.file_id
             WHERE se.subject_id = $1 ORDER BY se.label, a.name, m.kind, sc.bids_path, sc.version
            """, [id]).map {
            MeasureInfo(id: $0["id"].int!, session: $0["session"].string!, scanPath: $0["bids_path"].string!,
                        scanVersion: $0["version"].int!, atlas: $0["atlas"].string!, kind: MeasureKind(rawValue: $0["kind"].string!)!,
                        unit: $0["unit"].string!, pipeline: $0["pipeline"].string!.trimmingCharacters(in: .whitespaces),
                        regions: $0["region_count"].int!, rows: $0["rows"].int!, frames: $0["frames"].int,
                        repetitionTime: $0["repetition_time"].double, maskedVoxels: $0["masked_voxels"].int!,
                        resampled: $0["resampled"].bool!, file: $0["relative_path"].string, values: nil)
        }
        if values {
            for index in measures.indices where !measures[index].kind.isConnectome {
                measures[index].values = try regionalValues(measureID: measures[index].id)
            }
        }
        let participant = (try? row["participant"].decode([String: String].self)) ?? [:]
        return SubjectDetail(label: label, dataset: row["dataset"].string!, participant: participant,
                             sessions: sessions, scans: scans, measures: measures)
    }

    public func regionalValues(measureID: Int) throws -> [MeasureInfo.Value] {
        try connection.query("""
            SELECT r.label, r.name, v.value, v.voxel_count FROM regional_value v JOIN region r ON r.id = v.region_id
             WHERE v.measure_id = $1 ORDER BY r.label
            """, [measureID]).map {
            MeasureInfo.Value(label: $0[0].int!, region: $0[1].string!, value: $0[2].double!, voxels: $0[3].int!)
        }
    }

    /// The connectome of a measure as a dense matrix in the atlas's label order.
    public func connectome(measureID: Int) throws -> (labels: [Int], matrix: [Double]) {
        let labels = try connection.query("""
            SELECT r.label FROM region r JOIN measure m ON m.atlas_id = r.atlas_id WHERE m.id = $1 ORDER BY r.label
            """, [measureID]).map { $0[0].int! }
        var position: [Int: Int] = [:]
        for (i, label) in labels.enumerated() { position[label] = i }
        var matrix = [Double](repeating: 0, count: labels.count * labels.count)
        for row in try connection.query("""
            SELECT rs.label, rt.label, e.value FROM connectome_edge e
              JOIN region rs ON rs.id = e.source_region_id JOIN region rt ON rt.id = e.target_region_id
             WHERE e.measure_id = $1
            """, [measureID]) {
            matrix[position[row[0].int!]! * labels.count + position[row[1].int!]!] = row[2].double!
        }
        return (labels, matrix)
    }
}
