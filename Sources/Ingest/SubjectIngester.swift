import AtlasCatalog
import Foundation
import HDF5Kit
import Imaging
import NIfTI
import Postgres
import Store

/// What to ingest and how.
public struct IngestOptions: Sendable {
    /// Only these subject labels (without `sub-`); nil = all.
    public var subjects: [String]?
    /// Only these session labels (without `ses-`); nil = all.
    public var sessions: [String]?
    /// Parcellate onto these atlases; nil = every atlas in the database.
    public var atlases: [String]?
    /// Leave NaN/Inf voxels out of regional values (and record their count) instead of rejecting the image.
    public var maskNonFinite = false
    /// Also store each BOLD run's voxel time series (frames × labelled voxels, HDF5
    /// `/<atlas>/voxel_series` with `/<atlas>/voxel_index`) for this atlas's voxels: voxel-level twins.
    public var voxelSeriesAtlas: String?

    public init(subjects: [String]? = nil, sessions: [String]? = nil, atlases: [String]? = nil, maskNonFinite: Bool = false,
                voxelSeriesAtlas: String? = nil) {
        self.voxelSeriesAtlas = voxelSeriesAtlas
        self.subjects = subjects
        self.sessions = sessions
        self.atlases = atlases
        self.maskNonFinite = maskNonFinite
    }
}

/// What one subject-session ingest did.
public struct SessionOutcome: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable { case ingested, unchanged }
    public var subject: String
    /// "" for a dataset without sessions.
    public var session: String
    public var action: Action
    /// BIDS paths of the scan versions added.
    public var scansAdded: [String]
    public var scansUnchanged: Int
    public var measuresAdded: Int
    /// Modalities (anat, dwi, pet, func) with new data; the `subject_data` notification's list.
    public var modalities: [String]
    /// Files not ingested, with why (e.g. a derivative in a space no atlas is in).
    public var skipped: [String]
}

/// The result of ``SubjectIngester/ingest(root:options:progress:)``.
public struct IngestReport: Sendable, Codable, Equatable {
    public var dataset: String
    public var atlases: [String]
    public var sessions: [SessionOutcome]
}

/// Ingests a BIDS dataset: raw scans and the usual derivatives of four modalities, parcellated
/// onto the atlases of the database, with provenance.
///
/// One transaction per subject-session: any bad file leaves the database exactly as before and
/// throws an ``IngestError`` (`<file>: <problem>`). Large arrays go to HDF5 through the
/// ``FileStore`` protocol (staged outside, registered inside the transaction, discarded on
/// failure), so a crash never leaves a row pointing to a missing file.
///
/// After each subject-session that added data, the transaction sends `NOTIFY subject_data` with
/// a ``SubjectDataNotification`` payload, `{"modalities": ["anat", "func"], "session": "a",
/// "subject": "01"}` (delivered at commit; `session` is "" when the dataset has no sessions).
public struct SubjectIngester {
    /// The channel of the ``SubjectDataNotification`` each session that adds data sends.
    public static let notificationChannel = SubjectDataNotification.channel

    public let database: Database

    public init(database: Database) { self.database = database }

    public func ingest(root: URL, options: IngestOptions = IngestOptions(),
                       progress: @escaping (String) -> Void = { _ in }) throws -> IngestReport {
        let dataset = try BIDSDataset(root: root)
        let atlases = try AtlasSet(database: database, names: options.atlases)
        let subjects = try dataset.subjectLabels().filter { options.subjects?.contains($0) ?? true }
        if let wanted = options.subjects, let missing = wanted.first(where: { !subjects.contains($0) }) {
            throw IngestError.file(root.path, "no subject sub-\(missing) in this dataset")
        }
        let sessions = try subjects.map { try dataset.sessionLabels(of: $0).filter { options.sessions?.contains($0) ?? true } }
        // Checked before any session is stored: a --session no subject has would otherwise do nothing and succeed.
        if let wanted = options.sessions, let missing = wanted.first(where: { !sessions.joined().contains($0) }) {
            let whom = options.subjects == nil ? "this dataset" : subjects.map { "sub-\($0)" }.joined(separator: ", ")
            throw IngestError.file(root.path, "no session ses-\(missing) in \(whom)")
        }
        var outcomes: [SessionOutcome] = []
        for (subject, sessions) in zip(subjects, sessions) {
            for session in sessions {
                progress("sub-\(subject)\(session.isEmpty ? "" : " ses-\(session)"): reading")
                let ingest = SessionIngest(database: database, dataset: dataset, atlases: atlases,
                                           subject: subject, session: session, options: options, progress: progress)
                let outcome = try ingest.run()
                progress("sub-\(subject)\(session.isEmpty ? "" : " ses-\(session)"): \(outcome.action.rawValue), \(outcome.scansAdded.count) scan versions and \(outcome.measuresAdded) measures added")
                outcomes.append(outcome)
            }
        }
        return IngestReport(dataset: dataset.name, atlases: atlases.atlases.map(\.record.name), sessions: outcomes)
    }

    /// Ingests region-level derivative files directly (`dtb ingest --derivative FILE...`), named
    /// `sub-<label>[_ses-<label>]_…_atlas-<name>_<desc/suffix>.tsv`:
    ///
    /// - `_desc-density_connectome.tsv` / `_desc-length_connectome.tsv` — region × region, atlas order
    ///   (``ConnectomeTable``) → `tract_density` / `tract_length`;
    /// - `_timeseries.tsv` — one column per region (header: the region names in atlas order), one
    ///   row per frame; `RepetitionTime` (or `VolumeTiming`) in a same-named `.json`, whose
    ///   `VolumeTiming` length or `NumberOfVolumes`, when given, must equal the rows → `bold_timeseries`;
    /// - `_desc-gm_morph.tsv` — column `gm_volume` (mm³) per region → `gm_volume`;
    /// - `_desc-sv2a_pet.tsv` — column `suvr` per region → `synaptic_density` (``RegionTable``).
    ///
    /// Subject and session come from the name; `pipeline`/`version` are the provenance. The files
    /// attach to a stored subject of the same label, however that subject came. Every file is
    /// read and checked before anything is stored, and all sessions are stored in one
    /// transaction: a bad file stores nothing.
    public func ingestDerivatives(_ files: [URL], pipeline: String, version: String = "",
                                  options: IngestOptions = IngestOptions(),
                                  progress: @escaping (String) -> Void = { _ in }) throws -> IngestReport {
        guard !pipeline.isEmpty else { throw IngestError("--pipeline: name the program that made the files") }
        let atlases = try AtlasSet(database: database, names: options.atlases)
        var groups: [String: (subject: String, session: String, items: [Item])] = [:]
        var datasets: [String: BIDSDataset] = [:]
        for file in files {
            let url = file.standardizedFileURL
            let folder = url.deletingLastPathComponent()
            let dataset = datasets[folder.path] ?? BIDSDataset(directPipeline: DerivativePipeline(
                root: folder, name: pipeline, version: version, generatedBy: ["Name": pipeline, "Version": version]))
            datasets[folder.path] = dataset
            let item = try Self.directItem(url, dataset: dataset)
            let subject = item.name["sub"]!, session = item.name["ses"] ?? ""
            groups["\(subject)/\(session)", default: (subject, session, [])].items.append(item)
        }
        let ingests = groups.keys.sorted().map { key in
            let group = groups[key]!
            var ingest = SessionIngest(database: database, dataset: datasets[group.items[0].url.deletingLastPathComponent().path]!,
                                       atlases: atlases, subject: group.subject, session: group.session,
                                       options: options, progress: progress)
            ingest.explicitItems = group.items
            return ingest
        }
        return IngestReport(dataset: BIDSDataset.directDatasetName, atlases: atlases.atlases.map(\.record.name),
                            sessions: try storeTogether(ingests))
    }

    /// Prepares every session, then stores them all in one transaction.
    private func storeTogether(_ ingests: [SessionIngest]) throws -> [SessionOutcome] {
        var prepared: [(SessionIngest, PreparedSession)] = []
        do {
            for ingest in ingests { prepared.append((ingest, try ingest.prepareSession())) }
            return try database.connection.transaction { connection in
                try prepared.map { ingest, session in try ingest.store(session, on: connection) }
            }
        } catch {
            for (ingest, session) in prepared { ingest.discard(session) }
            throw ingests.first.map { $0.sessionError(error) } ?? error
        }
    }

    /// The suffixes `--derivative` takes, with their data type and kind.
    static let directSuffixes: [String: (datatype: String, kind: ItemKind, desc: String?)] = [
        "connectome": ("dwi", .connectome, nil), "timeseries": ("func", .regionSeries, nil),
        "morph": ("anat", .grayMatterTable, "gm"), "pet": ("pet", .petTable, "sv2a"),
    ]

    /// A `--derivative` file, classified by its name; a one-line error for a name it cannot be.
    static func directItem(_ url: URL, dataset: BIDSDataset) throws -> Item {
        let expected = "sub-<label>[_ses-<label>]_…_atlas-<name> then _desc-density|length_connectome.tsv, _timeseries.tsv, _desc-gm_morph.tsv or _desc-sv2a_pet.tsv"
        guard let name = BIDSName(url.lastPathComponent), name.fileExtension == ".tsv", name["sub"] != nil,
              let known = directSuffixes[name.suffix] else {
            throw IngestError.file(url.path, "not a region-level BIDS derivative name (expected \(expected))")
        }
        if let desc = known.desc, name["desc"] != desc {
            throw IngestError.file(url.path, "a regional \(name.suffix) table is named …_desc-\(desc)_\(name.suffix).tsv (this has \(name["desc"].map { "desc-\($0)" } ?? "no desc- entity"))")
        }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw IngestError.file(url.path, "cannot read: \(readReason(url))")
        }
        return Item(url: url, relativePath: dataset.relativePath(url), name: name, datatype: known.datatype,
                    pipeline: dataset.pipelines[0], kind: known.kind)
    }
}

// MARK: - Dataset layout

/// A pipeline folder under `derivatives/` with its `GeneratedBy`.
struct DerivativePipeline {
    let root: URL
    let name: String
    let version: String
    let generatedBy: [String: Any]
}

/// The BIDS folder: description, participants, derivative pipelines.
final class BIDSDataset {
    let root: URL
    let name: String
    let participants: [String: [String: String]]
    let pipelines: [DerivativePipeline]
    /// Direct mode (`dtb ingest --derivative`): files outside a BIDS tree, recorded as
    /// `derivatives/<pipeline>/<file name>`; the subject's stored record is used as it is.
    let directPipeline: String?

    /// The `subject.dataset` of a subject whose data so far came only by `--derivative` files;
    /// the first BIDS ingest of that subject replaces it with the dataset's name.
    static let directDatasetName = "direct derivatives"

    init(directPipeline pipeline: DerivativePipeline) {
        root = pipeline.root
        name = Self.directDatasetName
        participants = [:]
        pipelines = [pipeline]
        directPipeline = pipeline.name
    }

    init(root: URL) throws {
        self.root = root.standardizedFileURL
        directPipeline = nil
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IngestError.file(root.path, "no such BIDS folder")
        }
        let description = root.appendingPathComponent("dataset_description.json")
        guard FileManager.default.fileExists(atPath: description.path) else {
            throw IngestError.file(description.path, "missing: a BIDS dataset needs dataset_description.json")
        }
        let object = try Sidecars.readJSONObject(description)
        guard let name = object["Name"] as? String, !name.isEmpty else {
            throw IngestError.file(description.path, "required field Name is missing")
        }
        self.name = name
        // participants.tsv: one row per participant_id, no duplicates with different data.
        var participants: [String: [String: String]] = [:]
        let participantsFile = root.appendingPathComponent("participants.tsv")
        if FileManager.default.fileExists(atPath: participantsFile.path) {
            let (header, rows) = try readTSV(participantsFile)
            guard let idColumn = header.firstIndex(of: "participant_id") else {
                throw IngestError.file(participantsFile.path, "no participant_id column")
            }
            for (index, row) in rows.enumerated() {
                let id = row[idColumn]
                guard id.hasPrefix("sub-") else {
                    throw IngestError.file(participantsFile.path, "line \(index + 2): participant_id '\(id)' does not start with sub-")
                }
                var fields: [String: String] = [:]
                for (column, value) in zip(header, row) where column != "participant_id" { fields[column] = value }
                let label = String(id.dropFirst(4))
                if let previous = participants[label], previous != fields {
                    throw IngestError.file(participantsFile.path, "line \(index + 2): duplicate subject sub-\(label) with different data")
                }
                participants[label] = fields
            }
        }
        self.participants = participants
        // derivatives/<pipeline>/dataset_description.json with GeneratedBy.
        var pipelines: [DerivativePipeline] = []
        let derivatives = root.appendingPathComponent("derivatives")
        for folder in (try? FileManager.default.contentsOfDirectory(atPath: derivatives.path))?.sorted() ?? [] where !folder.hasPrefix(".") {
            let pipelineRoot = derivatives.appendingPathComponent(folder)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: pipelineRoot.path, isDirectory: &isDir), isDir.boolValue else { continue }
            let descriptionFile = pipelineRoot.appendingPathComponent("dataset_description.json")
            guard FileManager.default.fileExists(atPath: descriptionFile.path) else {
                throw IngestError.file(descriptionFile.path, "missing: a derivative dataset must name its pipeline (GeneratedBy)")
            }
            let object = try Sidecars.readJSONObject(descriptionFile)
            var generatedBy: [String: Any]
            if let list = object["GeneratedBy"] as? [[String: Any]], let first = list.first {
                generatedBy = first
            } else if let legacy = object["PipelineDescription"] as? [String: Any] {
                generatedBy = legacy
            } else {
                throw IngestError.file(descriptionFile.path, "required field GeneratedBy is missing")
            }
            guard let pipelineName = generatedBy["Name"] as? String, !pipelineName.isEmpty else {
                throw IngestError.file(descriptionFile.path, "GeneratedBy has no Name")
            }
            if generatedBy["Version"] == nil { generatedBy["Version"] = "" }
            pipelines.append(DerivativePipeline(root: pipelineRoot, name: pipelineName,
                                                version: "\(generatedBy["Version"]!)", generatedBy: generatedBy))
        }
        self.pipelines = pipelines
    }

    private func directories(in folder: URL, prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { entry in
            var isDir: ObjCBool = false
            return entry.hasPrefix(prefix) && FileManager.default.fileExists(atPath: folder.appendingPathComponent(entry).path, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }

    func subjectLabels() throws -> [String] {
        var labels = Set(directories(in: root, prefix: "sub-"))
        for pipeline in pipelines { labels.formUnion(directories(in: pipeline.root, prefix: "sub-")) }
        for folder in labels {
            guard folder.dropFirst(4).range(of: "^[A-Za-z0-9]+$", options: .regularExpression) != nil else {
                throw IngestError.file(root.appendingPathComponent(folder).path, "not a BIDS subject folder name (sub-<alphanumeric label>)")
            }
        }
        return labels.map { String($0.dropFirst(4)) }.sorted()
    }

    func sessionLabels(of subject: String) throws -> [String] {
        var labels = Set(directories(in: root.appendingPathComponent("sub-\(subject)"), prefix: "ses-"))
        for pipeline in pipelines {
            labels.formUnion(directories(in: pipeline.root.appendingPathComponent("sub-\(subject)"), prefix: "ses-"))
        }
        return labels.isEmpty ? [""] : labels.map { String($0.dropFirst(4)) }.sorted()
    }

    /// The folder holding the data-type folders of a subject-session, in the raw dataset or a pipeline.
    func sessionFolder(base: URL, subject: String, session: String) -> URL {
        var url = base.appendingPathComponent("sub-\(subject)")
        if !session.isEmpty { url = url.appendingPathComponent("ses-\(session)") }
        return url
    }

    func relativePath(_ url: URL) -> String {
        if let directPipeline { return "derivatives/\(directPipeline)/\(url.lastPathComponent)" }
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
    }
}

// MARK: - Atlases

/// The atlases an ingest parcellates onto, with their regions and label volumes (loaded once).
final class AtlasSet {
    struct Entry {
        let record: AtlasRecord
        let regions: [RegionRecord]
        let catalog: AtlasCatalog
        var labels: [Int32] { regions.map { Int32($0.label) } }
    }

    let atlases: [Entry]
    private var volumes: [Int: LabelVolume] = [:]
    private var parcellations: [String: Parcellation] = [:]

    init(database: Database, names: [String]?) throws {
        let catalog = AtlasCatalog(database: database)
        let records: [AtlasRecord]
        if let names { records = try names.map { try catalog.atlas(named: $0) } } else { records = try catalog.atlases() }
        guard !records.isEmpty else {
            throw StoreError.notFound("no atlas in the database to parcellate onto; run `dtb atlas import brainnetome246` first")
        }
        atlases = try records.map { Entry(record: $0, regions: try catalog.regions(of: $0), catalog: catalog) }
    }

    func entry(named name: String) -> Entry? { atlases.first { $0.record.name == name } }

    /// How the atlas maps onto an image grid: an atlas grid that equals it, or the primary labels
    /// resampled onto it when the image declares the atlas's template space.
    func parcellation(of atlas: Entry, onto grid: VoxelGrid, declaredSpace: String?, file: String) throws -> (Parcellation, AtlasGridRecord?, resampled: Bool) {
        if let match = atlas.record.grids.first(where: { $0.grid.matches(grid, tolerance: 1e-3) }) {
            let key = "\(atlas.record.id)/\(match.id)"
            if let cached = parcellations[key] { return (cached, match, false) }
            let parcellation = Parcellation(try labelVolume(atlas, match), labels: atlas.labels)
            parcellations[key] = parcellation
            return (parcellation, match, false)
        }
        guard let space = declaredSpace, space == atlas.record.templateSpace else {
            let dims = grid.dimensions.map(String.init).joined(separator: "×")
            let spaceText = declaredSpace.map { "space-\($0)" } ?? "no space- entity"
            throw IngestError.file(file, "grid \(dims) at \(format(grid.resolution)) mm (\(spaceText)) matches no grid of atlas \(atlas.record.name) (\(atlas.record.templateSpace)); register the image to \(atlas.record.templateSpace) first (fMRIPrep/QSIPrep)")
        }
        let key = "\(atlas.record.id)/\(grid.dimensions)/\(grid.affine)"
        if let cached = parcellations[key] { return (cached, nil, true) }
        let source = try labelVolume(atlas, atlas.record.primaryGrid)
        let resampled = source.resampled(onto: grid)
        let parcellation = Parcellation(resampled, labels: atlas.labels)
        // A wrong affine puts the atlas outside the image: refuse rather than store empty regions.
        let covered = parcellation.labelledVoxelCount
        let expected = Double(atlas.record.primaryGrid.labelledVoxels) * atlas.record.primaryGrid.grid.voxelVolume / grid.voxelVolume
        guard Double(covered) >= 0.5 * expected else {
            throw IngestError.file(file, "the image's affine places only \(String(format: "%.0f", 100 * Double(covered) / max(expected, 1)))% of atlas \(atlas.record.name) inside its field of view; it is not in \(atlas.record.templateSpace)")
        }
        parcellations[key] = parcellation
        return (parcellation, nil, true)
    }

    private func labelVolume(_ atlas: Entry, _ grid: AtlasGridRecord) throws -> LabelVolume {
        if let cached = volumes[grid.id] { return cached }
        let volume = try atlas.catalog.labelVolume(of: atlas.record, grid: grid)
        volumes[grid.id] = volume
        return volume
    }
}

func format(_ value: Double) -> String {
    Int(exactly: value).map(String.init) ?? String(format: "%.3g", value)
}
