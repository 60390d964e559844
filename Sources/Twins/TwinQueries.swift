import Foundation
import Hemodynamics
import Postgres
import Store
import TwinBuilder

/// A twin as `dtb twin list` shows it.
public struct TwinListing: Sendable, Codable, Equatable {
    public var twin: String
    public var subject: String
    public var atlas: String
    public var level: TwinLevel
    public var versions: Int
    public var latestVersion: Int
    public var latestStatus: String
    public var neurons: Int
    public var synapses: Int
    public var createdAt: String
}

/// A measure a version was built from, with the scan version behind it.
public struct TwinVersionInput: Sendable, Codable, Equatable {
    public var role: MeasureKind
    public var measure: Int
    public var session: String
    public var scanPath: String
    public var scanVersion: Int
    public var pipeline: String
}

/// One version's record.
public struct TwinVersionInfo: Sendable, Codable, Equatable {
    public var twin: String
    public var subject: String
    public var atlas: String
    public var level: TwinLevel
    public var version: Int
    public var parent: Int?
    public var origin: String
    public var status: String
    public var seed: UInt64
    public var createdAt: String
    public var codeVersion: String
    public var neurons: Int
    public var synapses: Int
    public var networkDigest: String
    public var inputs: [TwinVersionInput]
    public var files: [TwinFileInfo]
    public var parameters: BuildParameters
    public var bold: BalloonWindkesselParameters
    public var runs: [TwinRunInfo]
}

/// A unit's line in `dtb twin show`.
public struct TwinUnitLine: Sendable, Codable, Equatable {
    public var label: Int
    public var name: String
    public var lobe: String?
    public var kind: String
    public var neurons: Int
    public var meanInDegree: Double
    public var sv2aScale: Double
    public var longRangeInputs: Int
}

/// Units of one lobe (or "subcortical"/"unassigned") added up.
public struct TwinLobeLine: Sendable, Codable, Equatable {
    public var lobe: String
    public var units: Int
    public var neurons: Int
    public var synapses: Int
    public var meanInDegree: Double
}

/// `dtb twin show`: the version, its units and its lobes.
public struct TwinVersionDetail: Sendable, Codable, Equatable {
    public var version: TwinVersionInfo
    public var lobes: [TwinLobeLine]
    public var units: [TwinUnitLine]
}

/// One difference between a version and its parent.
public struct TwinChange: Sendable, Codable, Equatable {
    /// `data` (an input measure), `parameter` (builder or BOLD parameters), `code` or `network`.
    public var kind: String
    public var what: String
    public var from: String?
    public var to: String?
}

/// A version in `dtb twin history`, with what changed since its parent.
public struct TwinHistoryEntry: Sendable, Codable, Equatable {
    public var version: Int
    public var parent: Int?
    public var origin: String
    public var status: String
    public var createdAt: String
    public var neurons: Int
    public var synapses: Int
    public var networkDigest: String
    public var changes: [TwinChange]
    /// How an assimilated version was fitted; nil for a built one.
    public var assimilation: TwinAssimilationSummary?
    /// The version's validations, oldest first.
    public var validations: [TwinValidationSummary]
}

/// An assimilated version's fit in `dtb twin history`.
public struct TwinAssimilationSummary: Sendable, Codable, Equatable {
    public var measure: Int
    public var frames: Int
    public var framesDone: Int
    public var members: Int
    public var fittedUnits: Int
    public var hyperparameters: [String]
    public var observation: String
    /// Version whose posterior started the fit.
    public var warmStart: Int?
    /// Ensemble-mean BOLD vs the targets during the fit.
    public var fitBoldR: Double?
    /// The analysed ensemble-mean BOLD vs the targets (how closely the filter tracked them).
    public var fitTrackingR: Double?
}

/// A validation in `dtb twin history`.
public struct TwinValidationSummary: Sendable, Codable, Equatable {
    public var validation: Int
    public var measure: Int
    public var replay: String
    public var inSample: Bool
    public var boldR: Double?
    public var assimilatedBoldR: Double?
    public var fcSimilarity: Double?
    public var fcDistance: Double?
    public var fcdKS: Double?
    public var createdAt: String
}

/// An assimilated version's hyperparameter series h(t): per frame, the ensemble mean and spread
/// (standard deviation over members) of each fitted unit's hyperparameters, as the fit stored them.
public struct TwinHyperparameterSeries: Sendable, Codable, Equatable {
    public var version: Int
    /// The fitted units.
    public var units: [String]
    /// The fitted hyperparameters of each unit (`ext`, `ampa`, …).
    public var kinds: [String]
    /// Frame k is the analysis at (k + 1)·TR seconds.
    public var repetitionTime: Double
    /// Frames × (units × kinds), unit-major: entry `u * kinds.count + k`.
    public var mean: [[Double]]
    public var spread: [[Double]]

    public init(version: Int, units: [String], kinds: [String], repetitionTime: Double, mean: [[Double]], spread: [[Double]]) {
        self.version = version; self.units = units; self.kinds = kinds; self.repetitionTime = repetitionTime; self.mean = mean; self.spread = spread
    }
}

public struct TwinHistory: Sendable, Codable, Equatable {
    public var twin: String
    public var subject: String
    public var atlas: String
    public var level: TwinLevel
    public var versions: [TwinHistoryEntry]
}

/// Which versions of a twin's history to read, in which order, and which page of them.
public struct TwinHistoryQuery: Sendable, Equatable {
    /// What the versions are sorted by; ties of `createdAt` keep the version order.
    public enum Order: Sendable, Equatable { case version, createdAt }
    /// Only versions of this origin (`build`, `assimilation`) or status.
    public var origin: String?
    public var status: String?
    /// ISO 8601 text: created at or after `since`, before `until` (as the times print, so text compares as time).
    public var since: String?
    public var until: String?
    public var order: Order
    public var descending: Bool
    /// Versions skipped, then at most `limit` (nil: all).
    public var offset: Int
    public var limit: Int?
    /// Only this version.
    public var version: Int?
    /// Only versions with at least one validation (a validation timeline need not read the rest).
    public var validatedOnly: Bool

    public init(origin: String? = nil, status: String? = nil, since: String? = nil, until: String? = nil, order: Order = .version,
                descending: Bool = false, offset: Int = 0, limit: Int? = nil, version: Int? = nil, validatedOnly: Bool = false) {
        self.origin = origin; self.status = status; self.since = since; self.until = until; self.order = order
        self.descending = descending; self.offset = offset; self.limit = limit; self.version = version; self.validatedOnly = validatedOnly
    }
}

/// `TWIN` or `TWIN@VERSION` as the commands take it.
public struct TwinReference: Sendable, Equatable, CustomStringConvertible {
    public var twin: String
    /// Nil: the latest version.
    public var version: Int?

    public init(twin: String, version: Int? = nil) { self.twin = twin; self.version = version }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        twin = String(parts[0])
        guard !twin.isEmpty else { throw TwinError.invalid("'\(text)' names no twin (TWIN or TWIN@VERSION)") }
        if parts.count == 2 {
            // Versions are 32-bit in the schema: a larger one cannot exist, and binding it would be a server error.
            guard let v = Int(parts[1]), v > 0, v <= Int(Int32.max) else {
                throw TwinError.invalid("'\(text)': the version after @ must be a positive number up to \(Int32.max)")
            }
            version = v
        }
    }

    public var description: String { version.map { "\(twin)@\($0)" } ?? twin }
}

/// Reads twins and their versions back.
public struct TwinQueries {
    public let database: Database
    public init(database: Database) { self.database = database }
    private var connection: PostgresConnection { database.connection }

    public func twins(subject: String? = nil) throws -> [TwinListing] {
        if let subject { _ = try TwinInputReader.subjectID(subject, on: connection) }
        return try connection.query("""
            SELECT t.name, s.label, a.name AS atlas, t.level, count(v.id) AS versions, max(v.version) AS latest,
                   (array_agg(v.status ORDER BY v.version DESC))[1] AS status,
                   (array_agg(v.neurons ORDER BY v.version DESC))[1] AS neurons,
                   (array_agg(v.synapses ORDER BY v.version DESC))[1] AS synapses,
                   to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created
              FROM twin t JOIN subject s ON s.id = t.subject_id JOIN atlas a ON a.id = t.atlas_id
              JOIN twin_version v ON v.twin_id = t.id
             WHERE $1::text IS NULL OR s.label = $1
             GROUP BY t.id, s.label, a.name ORDER BY t.name
            """, [subject.map(TwinInputReader.bare)]).map {
            TwinListing(twin: $0["name"].string!, subject: $0["label"].string!, atlas: $0["atlas"].string!,
                        level: TwinLevel(rawValue: $0["level"].string!)!, versions: $0["versions"].int!, latestVersion: $0["latest"].int!,
                        latestStatus: $0["status"].string!, neurons: $0["neurons"].int!, synapses: $0["synapses"].int!,
                        createdAt: $0["created"].string!)
        }
    }

    /// The row id of a version (the latest when none is named).
    public func versionID(_ reference: TwinReference) throws -> Int {
        guard let twin = try connection.query("SELECT id FROM twin WHERE name = $1", [reference.twin]).first?[0].int else {
            let known = try connection.query("SELECT name FROM twin ORDER BY name").map { $0[0].string! }
            throw TwinError.notFound("twin '\(reference.twin)' does not exist (\(known.isEmpty ? "none built; run `dtb twin build SUBJECT --atlas NAME`" : "known: " + known.joined(separator: ", ")))")
        }
        let row = try connection.query("""
            SELECT id, version, (SELECT max(version) FROM twin_version WHERE twin_id = $1) AS latest
              FROM twin_version WHERE twin_id = $1 AND ($2::integer IS NULL OR version = $2)
             ORDER BY version DESC LIMIT 1
            """, [twin, reference.version]).first
        guard let row else {
            let latest = try connection.query("SELECT max(version) FROM twin_version WHERE twin_id = $1", [twin]).scalar().int ?? 0
            throw TwinError.notFound("twin \(reference.twin) has no version \(reference.version ?? 0) (versions 1–\(latest))")
        }
        return row["id"].int!
    }

    public func version(_ reference: TwinReference) throws -> TwinVersionInfo {
        try info(versionID: versionID(reference))
    }

    func info(versionID id: Int) throws -> TwinVersionInfo {
        let row = try connection.query("""
            SELECT t.name, s.label, a.name AS atlas, t.level, v.version, p.version AS parent, v.origin, v.status,
                   v.seed::text AS seed, to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created,
                   v.code_version, v.neurons, v.synapses, v.network_digest, v.builder_parameters, v.bold_parameters
              FROM twin_version v JOIN twin t ON t.id = v.twin_id JOIN subject s ON s.id = t.subject_id
              JOIN atlas a ON a.id = t.atlas_id LEFT JOIN twin_version p ON p.id = v.parent_id
             WHERE v.id = $1
            """, [id]).first!
        return TwinVersionInfo(
            twin: row["name"].string!, subject: row["label"].string!, atlas: row["atlas"].string!, level: TwinLevel(rawValue: row["level"].string!)!,
            version: row["version"].int!, parent: row["parent"].int, origin: row["origin"].string!, status: row["status"].string!,
            seed: UInt64(row["seed"].string!)!, createdAt: row["created"].string!, codeVersion: row["code_version"].string!,
            neurons: row["neurons"].int!, synapses: row["synapses"].int!, networkDigest: row["network_digest"].string!,
            inputs: try inputs(versionID: id), files: try files(versionID: id),
            parameters: try row["builder_parameters"].decode(BuildParameters.self),
            bold: try row["bold_parameters"].decode(BalloonWindkesselParameters.self),
            runs: try TwinRunner(database: database).runs(versionID: id))
    }

    func inputs(versionID id: Int) throws -> [TwinVersionInput] {
        try inputs(versionIDs: [id])[id] ?? []
    }

    /// The inputs of several versions in one query, by version row id.
    func inputs(versionIDs ids: [Int]) throws -> [Int: [TwinVersionInput]] {
        var out: [Int: [TwinVersionInput]] = [:]
        for row in try connection.query("""
            SELECT i.role, i.measure_id, se.label AS session, sc.bids_path, sc.version, p.name || ' ' || p.version AS pipeline, i.twin_version_id
              FROM twin_version_input i JOIN measure m ON m.id = i.measure_id JOIN scan sc ON sc.id = m.scan_id
              JOIN session se ON se.id = sc.session_id JOIN pipeline p ON p.id = m.pipeline_id
             WHERE i.twin_version_id = ANY($1) ORDER BY i.twin_version_id, i.role
            """, [ids]) {
            out[row["twin_version_id"].int!, default: []].append(TwinVersionInput(
                role: MeasureKind(rawValue: row["role"].string!)!, measure: row["measure_id"].int!, session: row["session"].string!,
                scanPath: row["bids_path"].string!, scanVersion: row["version"].int!,
                pipeline: row["pipeline"].string!.trimmingCharacters(in: .whitespaces)))
        }
        return out
    }

    func files(versionID id: Int) throws -> [TwinFileInfo] {
        let rows = try connection.query("""
            SELECT f.role, d.relative_path, d.sha256, d.size_bytes FROM twin_version_file f JOIN data_file d ON d.id = f.file_id
             WHERE f.twin_version_id = $1
            """, [id])
        let roles = TwinFiles.roles + ["hyperparameters", "posterior"]
        let order = Dictionary(uniqueKeysWithValues: roles.enumerated().map { ($1, $0) })
        return rows.map {
            TwinFileInfo(role: $0[0].string!, path: $0[1].string!, sha256: $0[2].string!, sizeBytes: $0[3].int!)
        }.sorted { (order[$0.role] ?? roles.count, $0.role) < (order[$1.role] ?? roles.count, $1.role) }
    }

    /// The version with its per-unit and per-lobe summary.
    public func detail(_ reference: TwinReference) throws -> TwinVersionDetail {
        try detail(versionID: versionID(reference))
    }

    func detail(versionID id: Int) throws -> TwinVersionDetail {
        let info = try info(versionID: id)
        let summary = try connection.query("SELECT summary FROM twin_version WHERE id = $1", [id]).scalar().decode(TwinSummary.self)
        var regions: [String: (label: Int, lobe: String?)] = [:]
        for row in try connection.query("""
            SELECT r.name, r.label, r.lobe FROM region r JOIN twin t ON t.atlas_id = r.atlas_id
              JOIN twin_version v ON v.twin_id = t.id WHERE v.id = $1
            """, [id]) {
            regions[row[0].string!] = (row[1].int!, row[2].string)
        }
        let units = summary.units.map { u in
            // A voxel unit is named region@voxel.
            let region = regions[String(u.name.split(separator: "@", maxSplits: 1)[0])]
            return TwinUnitLine(label: region?.label ?? 0, name: u.name, lobe: region?.lobe, kind: u.kind.rawValue,
                         neurons: u.neurons, meanInDegree: u.meanInDegree, sv2aScale: u.sv2aScale, longRangeInputs: u.longRangeInputs)
        }
        return TwinVersionDetail(version: info, lobes: Self.lobes(units), units: units)
    }

    /// The fits of several assimilated versions in one query, by version row id (built versions
    /// have none). The few fields a history shows are read out of the stored JSON by PostgreSQL
    /// (Swift's property names: docs/json.md "Not covered"); decoding the whole settings and
    /// observation documents was the largest part of a history page.
    func assimilationSummaries(versionIDs ids: [Int]) throws -> [Int: TwinAssimilationSummary] {
        var out: [Int: TwinAssimilationSummary] = [:]
        for row in try connection.query("""
            SELECT a.twin_version_id, (a.settings->>'measure')::bigint, a.frames, a.frames_done, (a.settings->>'members')::integer,
                   jsonb_array_length(a.settings->'units'),
                   (SELECT string_agg(h.value->>'kind', ',' ORDER BY h.ordinality)
                      FROM jsonb_array_elements(a.settings->'hyperparameters') WITH ORDINALITY AS h),
                   a.observation->>'preset', w.version, (a.fit->>'boldR')::float8, (a.fit->>'trackingR')::float8
              FROM assimilation a LEFT JOIN twin_version w ON w.id = a.warm_start_id
             WHERE a.twin_version_id = ANY($1)
            """, [ids]) {
            out[row[0].int!] = TwinAssimilationSummary(
                measure: row[1].int!, frames: row[2].int!, framesDone: row[3].int!, members: row[4].int!, fittedUnits: row[5].int!,
                hyperparameters: (row[6].string ?? "").split(separator: ",").map(String.init), observation: row[7].string!,
                warmStart: row[8].int, fitBoldR: row[9].double, fitTrackingR: row[10].double)
        }
        return out
    }

    static func lobes(_ units: [TwinUnitLine]) -> [TwinLobeLine] {
        var order: [String] = [], lines: [String: TwinLobeLine] = [:]
        for u in units {
            let lobe = u.lobe ?? (u.kind == "subcortical" ? "subcortical" : "unassigned")
            if lines[lobe] == nil { order.append(lobe); lines[lobe] = TwinLobeLine(lobe: lobe, units: 0, neurons: 0, synapses: 0, meanInDegree: 0) }
            lines[lobe]!.units += 1
            lines[lobe]!.neurons += u.neurons
            lines[lobe]!.synapses += Int((u.meanInDegree * Double(u.neurons)).rounded())
        }
        return order.map { lobe in
            var line = lines[lobe]!
            line.meanInDegree = line.neurons > 0 ? Double(line.synapses) / Double(line.neurons) : 0
            return line
        }
    }

    /// The h(t) an assimilated version was fitted with (file checksum verified); a one-line error for a built version.
    public func hyperparameters(_ reference: TwinReference) throws -> TwinHyperparameterSeries {
        let id = try versionID(reference)
        let store = AssimilationStore(database: database)
        guard try store.record(versionID: id) != nil else { throw TwinError.missingData("\(reference) was built, not fitted: it has no h(t)") }
        let series = try AssimilationFiles.readHyperparameterSeries(try store.file(role: "hyperparameters", versionID: id))
        let version = try store.versionNumber(id)
        return TwinHyperparameterSeries(version: version, units: series.units, kinds: series.kinds, repetitionTime: series.repetitionTime,
                                        mean: series.mean, spread: series.spread)
    }

    /// Every version of a twin with what changed from its parent.
    public func history(_ twin: String) throws -> TwinHistory {
        try history(twin, TwinHistoryQuery())
    }

    /// The versions of a twin `query` selects, in its order, with what changed from each parent,
    /// each fit and every validation: five queries however many versions the twin has.
    public func history(_ twin: String, _ query: TwinHistoryQuery) throws -> TwinHistory {
        guard let head = try connection.query("""
            SELECT t.id, s.label, a.name, t.level FROM twin t JOIN subject s ON s.id = t.subject_id JOIN atlas a ON a.id = t.atlas_id
             WHERE t.name = $1
            """, [twin]).first else {
            _ = try versionID(TwinReference(twin: twin))
            throw TwinError.notFound("twin '\(twin)' does not exist")
        }
        let created = #"to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') COLLATE "C""#
        let direction = query.descending ? "DESC" : "ASC"
        // Ties of created_at (seconds) keep the version order, as the API's sorted lists do.
        let order = query.order == .version ? "v.version \(direction)" : "\(created) \(direction), v.version"
        let rows = try connection.query("""
            SELECT v.id, v.version, v.parent_id, p.version AS parent, v.origin, v.status, \(created) AS created, v.neurons, v.synapses,
                   v.network_digest, v.code_version, v.builder_parameters, v.bold_parameters,
                   p.network_digest AS parent_digest, p.code_version AS parent_code, p.builder_parameters AS parent_builder,
                   p.bold_parameters AS parent_bold
              FROM twin_version v LEFT JOIN twin_version p ON p.id = v.parent_id
             WHERE v.twin_id = $1 AND ($2::text IS NULL OR v.origin = $2) AND ($3::text IS NULL OR v.status = $3)
               AND ($4::text IS NULL OR \(created) >= $4) AND ($5::text IS NULL OR \(created) < $5)
               AND ($8::int IS NULL OR v.version = $8) AND (NOT $9 OR EXISTS (SELECT 1 FROM validation l WHERE l.twin_version_id = v.id))
             ORDER BY \(order) LIMIT $6::bigint OFFSET $7
            """, [head[0].int!, query.origin, query.status, query.since, query.until, query.limit, query.offset, query.version,
                  query.validatedOnly])
        let ids = rows.map { $0["id"].int! }
        let inputs = try self.inputs(versionIDs: ids + rows.compactMap { $0["parent_id"].int })
        let fits = try assimilationSummaries(versionIDs: ids)
        let validations = try ValidationStore(database: database).summaries(versionIDs: ids)
        let home = database.home.root.path
        let entries = try rows.map { row -> TwinHistoryEntry in
            let id = row["id"].int!
            var changes: [TwinChange] = []
            if let parentID = row["parent_id"].int {
                // Versions never change: their diff is worked out (JSON decoded and flattened) once per process.
                changes = try TwinChangeCache.shared.changes("\(home) \(id)") {
                    TwinDiff.changes(
                        from: try Self.comparable(inputs: inputs[parentID] ?? [], parameters: row["parent_builder"], bold: row["parent_bold"],
                                                  code: row["parent_code"].string!, digest: row["parent_digest"].string!),
                        to: try Self.comparable(inputs: inputs[id] ?? [], parameters: row["builder_parameters"], bold: row["bold_parameters"],
                                                code: row["code_version"].string!, digest: row["network_digest"].string!))
                }
            }
            return TwinHistoryEntry(version: row["version"].int!, parent: row["parent"].int, origin: row["origin"].string!,
                                    status: row["status"].string!, createdAt: row["created"].string!, neurons: row["neurons"].int!,
                                    synapses: row["synapses"].int!, networkDigest: row["network_digest"].string!, changes: changes,
                                    assimilation: fits[id], validations: validations[id] ?? [])
        }
        return TwinHistory(twin: twin, subject: head[1].string!, atlas: head[2].string!, level: TwinLevel(rawValue: head[3].string!)!,
                           versions: entries)
    }

    /// What ``TwinDiff`` compares of a version (inputs, parameters, code, network); the rest is left empty.
    private static func comparable(inputs: [TwinVersionInput], parameters: PostgresCell, bold: PostgresCell, code: String,
                                   digest: String) throws -> TwinVersionInfo {
        TwinVersionInfo(twin: "", subject: "", atlas: "", level: .region, version: 0, parent: nil, origin: "", status: "", seed: 0,
                        createdAt: "", codeVersion: code, neurons: 0, synapses: 0, networkDigest: digest, inputs: inputs, files: [],
                        parameters: try parameters.decode(BuildParameters.self), bold: try bold.decode(BalloonWindkesselParameters.self),
                        runs: [])
    }
}
