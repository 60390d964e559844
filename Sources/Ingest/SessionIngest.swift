import AtlasCatalog
import Foundation
import HDF5Kit
import Imaging
import NIfTI
import Postgres
import Store

/// What a file of a subject-session is, once classified.
enum ItemKind: Equatable {
    case rawImage          // anat T1w/T2w..., recorded
    case rawDWI            // dwi with bval/bvec
    case rawPET            // pet with the required sidecar fields
    case rawBOLD           // func bold: TaskName, RepetitionTime
    case grayMatter        // derivative label-GM probseg → gm_volume
    case petMap            // derivative 3-D pet → synaptic_density
    case boldSeries        // derivative bold → bold_timeseries
    case connectome        // derivative connectome TSV → tract_density / tract_length
    case regionSeries      // derivative region time series TSV → bold_timeseries
    case grayMatterTable   // derivative regional gray-matter volume TSV (desc-gm_morph) → gm_volume
    case petTable          // derivative regional SV2A uptake TSV (desc-sv2a_pet) → synaptic_density

    var isDerivative: Bool { ![.rawImage, .rawDWI, .rawPET, .rawBOLD].contains(self) }
    /// A table already per region of one named atlas (`atlas-` entity): nothing to parcellate,
    /// and measures only on that atlas.
    var isRegionLevel: Bool { [.connectome, .regionSeries, .grayMatterTable, .petTable].contains(self) }
    /// The quantity of a regional value table.
    var tableQuantity: RegionTable.Quantity? {
        switch self {
        case .grayMatterTable: .grayMatterVolume
        case .petTable: .synapticDensity
        default: nil
        }
    }
    /// The measure a derivative gives (a connectome's desc- may make it tract_length instead).
    var measureKind: MeasureKind? {
        switch self {
        case .grayMatter, .grayMatterTable: .grayMatterVolume
        case .petMap, .petTable: .synapticDensity
        case .boldSeries, .regionSeries: .boldTimeseries
        case .connectome: .tractDensity
        default: nil
        }
    }
}

struct Item {
    let url: URL
    let relativePath: String
    let name: BIDSName
    let datatype: String
    let pipeline: DerivativePipeline?
    let kind: ItemKind
}

/// One region's value.
struct RegionValue { let regionID: Int; let value: Double; let voxelCount: Int }

struct PreparedMeasure {
    let atlas: AtlasSet.Entry
    let gridID: Int?
    let kind: MeasureKind
    let unit: String
    var values: [RegionValue] = []
    var edges: [(Int, Int, Double)] = []
    var frames: Int?
    var repetitionTime: Double?
    var masked = 0
    var resampled = false
    var usesFile = false
}

struct PreparedScan {
    let item: Item
    let sha256: String
    let size: Int64
    /// The stored latest version when its checksum equals the file's.
    var unchangedID: Int?
    var version: Int
    var header: [String: Any] = [:]
    var sidecar: [String: Any] = [:]
    var acquisitionTime: Date?
    var gradients: (bvals: [Double], bvecs: [Double])?
    var events: [TaskEvent] = []
    var measures: [PreparedMeasure] = []
    var staged: StagedFile?
    var sourceRelativePath: String?
}

/// A subject-session's files, prepared: what ``SessionIngest/store(_:on:)`` writes.
struct PreparedSession {
    var scans: [PreparedScan] = []
    /// Files not ingested, with why.
    var skipped: [String] = []
}

/// Ingests one subject-session in one transaction.
struct SessionIngest {
    let database: Database
    let dataset: BIDSDataset
    let atlases: AtlasSet
    let subject: String
    let session: String
    let options: IngestOptions
    let progress: (String) -> Void
    /// Direct mode (`--derivative`): these files instead of the dataset's folders.
    var explicitItems: [Item]? = nil

    static let datatypes = ["anat", "dwi", "pet", "func"]
    static let requiredPETFields = [
        "TracerName", "TracerRadionuclide", "InjectedRadioactivity", "InjectedRadioactivityUnits", "InjectedMass",
        "InjectedMassUnits", "SpecificRadioactivity", "SpecificRadioactivityUnits", "ModeOfAdministration",
        "TimeZero", "ScanStart", "InjectionStart", "FrameTimesStart", "FrameDuration", "Units",
    ]

    var connection: PostgresConnection { database.connection }

    /// Prepares and stores the session in its own transaction.
    func run() throws -> SessionOutcome {
        let prepared = try prepareSession()
        do {
            return try connection.transaction { connection in try store(prepared, on: connection) }
        } catch {
            discard(prepared)
            throw sessionError(error)
        }
    }

    /// The session's files read, validated and computed (HDF5 staged), outside any transaction;
    /// on failure nothing staged is left behind.
    func prepareSession() throws -> PreparedSession {
        _ = try subjectRow(on: connection, insert: false)
        let items = try explicitItems ?? collectItems()
        var session = PreparedSession()
        do {
            for item in items {
                if let scan = try prepare(item, skipped: &session.skipped) { session.scans.append(scan) }
            }
        } catch {
            discard(session)
            throw error
        }
        return session
    }

    /// Stores a prepared session inside the caller's transaction (nothing when it adds nothing).
    func store(_ prepared: PreparedSession, on connection: PostgresConnection) throws -> SessionOutcome {
        let added = prepared.scans.filter { $0.unchangedID == nil }
        let measures = prepared.scans.reduce(0) { $0 + $1.measures.count }
        if added.isEmpty && measures == 0 {
            return SessionOutcome(subject: subject, session: session, action: .unchanged, scansAdded: [],
                                  scansUnchanged: prepared.scans.count, measuresAdded: 0, modalities: [], skipped: prepared.skipped)
        }
        let modalities = Array(Set(prepared.scans.filter { $0.unchangedID == nil || !$0.measures.isEmpty }.map(\.item.datatype))).sorted()
        try write(prepared.scans, modalities: modalities, on: connection)
        return SessionOutcome(subject: subject, session: session, action: .ingested,
                              scansAdded: added.map { "\($0.item.relativePath) v\($0.version)" },
                              scansUnchanged: prepared.scans.count - added.count, measuresAdded: measures,
                              modalities: modalities, skipped: prepared.skipped)
    }

    /// Removes the staged files of a session whose transaction failed.
    func discard(_ prepared: PreparedSession) {
        for scan in prepared.scans { if let staged = scan.staged { database.files.discard(staged, on: connection) } }
    }

    /// A concurrent ingest of the same subject-session shows as a unique violation: say so.
    func sessionError(_ error: any Error) -> any Error {
        guard let error = error as? PostgresError, error.isUniqueViolation else { return error }
        let name = "sub-\(subject)" + (session.isEmpty ? "" : " ses-\(session)")
        return IngestError.file(dataset.root.path, "\(name): another ingest stored this subject-session at the same time; nothing was stored, run the ingest again")
    }

    // MARK: Finding files

    func collectItems() throws -> [Item] {
        var items: [Item] = []
        let bases: [(URL, DerivativePipeline?)] = [(dataset.root, nil)] + dataset.pipelines.map { ($0.root, $0) }
        for (base, pipeline) in bases {
            let folder = dataset.sessionFolder(base: base, subject: subject, session: session)
            for datatype in Self.datatypes {
                let directory = folder.appendingPathComponent(datatype)
                guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { continue }
                for entry in entries.sorted() where !entry.hasPrefix(".") {
                    let url = directory.appendingPathComponent(entry)
                    guard let item = try classify(url: url, datatype: datatype, pipeline: pipeline) else { continue }
                    items.append(item)
                }
            }
        }
        // Raw scans first so derivatives can point to them.
        return items.filter { !$0.kind.isDerivative } + items.filter { $0.kind.isDerivative }
    }

    private func classify(url: URL, datatype: String, pipeline: DerivativePipeline?) throws -> Item? {
        let file = url.lastPathComponent
        let expected = "sub-\(subject)\(session.isEmpty ? "" : "_ses-\(session)")_<entities>_<suffix>.<ext>"
        guard let name = BIDSName(file) else {
            // Derivative folders hold many files dtb does not use (transforms, reports): skip them.
            if pipeline != nil { return nil }
            throw IngestError.file(url.path, "not a BIDS file name (expected \(expected))")
        }
        guard name["sub"] == subject, (name["ses"] ?? "") == session else {
            throw IngestError.file(url.path, "not a BIDS file name for this folder (expected \(expected))")
        }
        let relative = dataset.relativePath(url)
        let isImage = name.fileExtension == ".nii.gz" || name.fileExtension == ".nii"
        func item(_ kind: ItemKind) -> Item {
            Item(url: url, relativePath: relative, name: name, datatype: datatype, pipeline: pipeline, kind: kind)
        }
        if pipeline == nil {
            // Companion files are read with their image.
            if [".json", ".bval", ".bvec"].contains(name.fileExtension) || name.suffix == "events" { return nil }
            guard isImage else { return nil }   // physio, scans tables, ...: BIDS files dtb does not use
            switch (datatype, name.suffix) {
            case ("dwi", "dwi"): return item(.rawDWI)
            case ("pet", "pet"): return item(.rawPET)
            case ("func", "bold"): return item(.rawBOLD)
            case ("func", _), ("dwi", _), ("pet", _): return nil   // sbref, physio, ...: not used
            default: return item(.rawImage)
            }
        }
        switch (datatype, name.suffix) {
        case ("anat", "probseg") where isImage && name["label"] == "GM": return item(.grayMatter)
        case ("pet", "pet") where isImage: return item(.petMap)
        case ("func", "bold") where isImage: return item(.boldSeries)
        case ("dwi", "connectome") where name.fileExtension == ".tsv": return item(.connectome)
        case ("func", "timeseries") where name.fileExtension == ".tsv" && name["atlas"] != nil: return item(.regionSeries)
        case ("anat", "morph") where name.fileExtension == ".tsv" && name["atlas"] != nil && name["desc"] == "gm":
            return item(.grayMatterTable)
        case ("pet", "pet") where name.fileExtension == ".tsv" && name["atlas"] != nil && name["desc"] == "sv2a":
            return item(.petTable)
        default: return nil
        }
    }
}

extension PreparedScan {
    init(item: Item, sha256: String, size: Int64, unchangedID: Int?, version: Int) {
        self.item = item
        self.sha256 = sha256
        self.size = size
        self.unchangedID = unchangedID
        self.version = version
    }

    init(copying other: PreparedScan, sha256: String) {
        self = PreparedScan(item: other.item, sha256: sha256, size: other.size, unchangedID: other.unchangedID, version: other.version)
        header = other.header; sidecar = other.sidecar; acquisitionTime = other.acquisitionTime
        gradients = other.gradients; events = other.events; measures = other.measures; staged = other.staged
        sourceRelativePath = other.sourceRelativePath
    }
}

/// SHA-256 of a file on a second thread.
final class BackgroundHash: @unchecked Sendable {
    private var result: Result<String, IngestError>?
    private let done = DispatchSemaphore(value: 0)

    init(url: URL) {
        Thread.detachNewThread { [self] in
            do { result = .success(try SHA256.hex(ofFile: url.path)) } catch {
                result = .failure(IngestError.file(url.path, "cannot read: \(readReason(url))"))
            }
            done.signal()
        }
    }

    func value() throws -> String {
        done.wait()
        done.signal()
        return try result!.get()
    }
}
