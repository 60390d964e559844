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

    var isDerivative: Bool { ![.rawImage, .rawDWI, .rawPET, .rawBOLD].contains(self) }
    var measureKind: String? {
        switch self {
        case .grayMatter: "gm_volume"
        case .petMap: "synaptic_density"
        case .boldSeries: "bold_timeseries"
        case .connectome: "tract_density"
        case .regionSeries: "bold_timeseries"
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
    let kind: String
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
    var events: [(onset: Double, duration: Double, trialType: String?, extra: [String: String])] = []
    var measures: [PreparedMeasure] = []
    var staged: StagedFile?
    var sourceRelativePath: String?
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

    func run() throws -> SessionOutcome {
        _ = try subjectRow(on: connection, insert: false)
        let items = try explicitItems ?? collectItems()
        var prepared: [PreparedScan] = []
        var skipped: [String] = []
        do {
            for item in items {
                if let scan = try prepare(item, skipped: &skipped) { prepared.append(scan) }
            }
            let added = prepared.filter { $0.unchangedID == nil }
            let measures = prepared.reduce(0) { $0 + $1.measures.count }
            if added.isEmpty && measures == 0 {
                return SessionOutcome(subject: subject, session: session, action: .unchanged, scansAdded: [],
                                      scansUnchanged: prepared.count, measuresAdded: 0, modalities: [], skipped: skipped)
            }
            let modalities = Array(Set(prepared.filter { $0.unchangedID == nil || !$0.measures.isEmpty }.map(\.item.datatype))).sorted()
            try connection.transaction { connection in
                try write(prepared, modalities: modalities, on: connection)
            }
            return SessionOutcome(subject: subject, session: session, action: .ingested,
                                  scansAdded: added.map { "\($0.item.relativePath) v\($0.version)" },
                                  scansUnchanged: prepared.count - added.count, measuresAdded: measures,
                                  modalities: modalities, skipped: skipped)
        } catch {
            for scan in prepared { if let staged = scan.staged { database.files.discard(staged, on: connection) } }
            if let error = error as? PostgresError, error.isUniqueViolation {
                let name = "sub-\(subject)" + (session.isEmpty ? "" : " ses-\(session)")
                throw IngestError.file(dataset.root.path, "\(name): another ingest stored this subject-session at the same time; nothing was stored, run the ingest again")
            }
            throw error
        }
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
        default: return nil
        }
    }

    // MARK: Preparing (reading, validating, computing) outside the transaction

    private func prepare(_ item: Item, skipped: inout [String]) throws -> PreparedScan? {
        // A derivative image in a space no atlas is in (T1w, fsnative, ...) is another output of the
        // pipeline, not something to parcellate: skip it, and say so.
        if item.kind.isDerivative, item.kind != .connectome, item.kind != .regionSeries, let space = item.name["space"],
           !atlases.atlases.contains(where: { $0.record.templateSpace == space }) {
            skipped.append("\(item.relativePath): space-\(space) is not the template space of any atlas")
            return nil
        }
        // The newest stored version of this path: a file whose image and companions equal it is
        // unchanged; any other content (even an earlier one put back) becomes the next version.
        let latest = try connection.query("""
            SELECT sc.id, sc.version, sc.sha256 FROM scan sc
              JOIN session se ON se.id = sc.session_id JOIN subject su ON su.id = se.subject_id
             WHERE su.label = $1 AND se.label = $2 AND sc.bids_path = $3
             ORDER BY sc.version DESC LIMIT 1
            """, [subject, session, item.relativePath]).first
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: item.url.path) } catch {
            throw IngestError.file(item.url.path, "cannot read: \(readReason(item.url))")
        }
        guard FileManager.default.isReadableFile(atPath: item.url.path) else {
            throw IngestError.file(item.url.path, "cannot read: \(readReason(item.url))")
        }
        if (attributes[.type] as? FileAttributeType) == .typeDirectory {
            throw IngestError.file(item.url.path, "is a directory, not a file")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        // Hash on a second thread while the image is read and parcellated (new files), or first
        // (a stored path: unchanged content needs no reading at all).
        let hash = BackgroundHash(url: item.url)
        var scan: PreparedScan
        if let latest {
            let sha = try hash.value()
            // Companions (sidecar, bval/bvec, events) are validated again even beside an unchanged image.
            if latest[2].string! == sha, try changedCompanions(of: item, storedScan: latest[0].int!).isEmpty {
                let existingID = latest[0].int!
                let version = latest[1].int!
                guard let measureKind = item.kind.measureKind else { return PreparedScan(item: item, sha256: sha, size: size, unchangedID: existingID, version: version) }
                let done = Set(try connection.query("SELECT atlas_id FROM measure WHERE scan_id = $1 AND kind = ANY($2)",
                                                    [existingID, [measureKind, "tract_length"]]).map { $0[0].int! })
                let missing = atlases.atlases.filter { !done.contains($0.record.id) }
                scan = PreparedScan(item: item, sha256: sha, size: size, unchangedID: existingID, version: version)
                if missing.isEmpty || item.kind == .connectome || item.kind == .regionSeries { return scan }
                try compute(&scan, atlases: missing)
                return scan
            }
            scan = PreparedScan(item: item, sha256: sha, size: size, unchangedID: nil, version: latest[1].int! + 1)
            try compute(&scan, atlases: atlases.atlases)
        } else {
            scan = PreparedScan(item: item, sha256: "", size: size, unchangedID: nil, version: 1)
            try compute(&scan, atlases: atlases.atlases)
            do {
                scan = PreparedScan(copying: scan, sha256: try hash.value())
            } catch {
                if let staged = scan.staged { database.files.discard(staged, on: connection) }
                throw error
            }
        }
        return scan
    }

    /// For an unchanged image: validates its companion files as a new ingest would, and names
    /// those that differ from the stored version (any difference makes a new version).
    private func changedCompanions(of item: Item, storedScan: Int) throws -> [String] {
        guard item.kind != .rawImage, item.kind != .connectome, item.kind != .regionSeries else { return [] }
        let source = rawCounterpart(of: item)
        let sidecar = try sidecar(for: item, raw: source)
        var differs: [String] = []
        switch item.kind {
        case .rawDWI:
            let header = try NIfTIImage.readHeader(path: item.url.path)
            let fresh = try gradients(of: item, volumes: header.volumeCount)
            let stored = try connection.query("SELECT bvals, bvecs FROM dwi_gradient WHERE scan_id = $1", [storedScan]).first
            if stored?[0].doubles != fresh.bvals || stored?[1].doubles != fresh.bvecs { differs.append("bval/bvec") }
        case .rawPET:
            try requireFields(Self.requiredPETFields, in: sidecar, item: item)
        case .rawBOLD:
            try requireBOLDFields(sidecar, item: item)
            let events = try events(of: item)
            let stored = try connection.query("SELECT count(*) FROM task_event WHERE scan_id = $1", [storedScan]).scalar().int
            if stored != events.count { differs.append("events") }
        case .boldSeries:
            try requireBOLDFields(sidecar, item: item)
        case .petMap:
            try requireFields(["Units"], in: sidecar, item: item)
        default:
            break
        }
        let same = try connection.query("SELECT sidecar = $2 FROM scan WHERE id = $1",
                                        [storedScan, PostgresJSON(text: jsonText(sidecar))]).scalar().bool ?? false
        if !same { differs.append("sidecar") }
        return differs
    }

    /// Reads, validates and (for derivatives) parcellates the file onto `targets`.
    private func compute(_ scan: inout PreparedScan, atlases targets: [AtlasSet.Entry]) throws {
        let item = scan.item
        let path = item.url.path
        let source = rawCounterpart(of: item)
        scan.sourceRelativePath = source.map { dataset.relativePath($0.url) }
        scan.sidecar = try sidecar(for: item, raw: source)
        scan.acquisitionTime = acquisitionTime(of: item)
        switch item.kind {
        case .rawImage:
            let image = try NIfTIImage.read(path: path)
            scan.header = headerJSON(image.header)
        case .rawDWI:
            let header = try streamValidate(path, needs4D: true)
            scan.header = headerJSON(header)
            scan.gradients = try gradients(of: item, volumes: header.volumeCount)
        case .rawPET:
            try requireFields(Self.requiredPETFields, in: scan.sidecar, item: item)
            scan.header = headerJSON(try streamValidate(path, needs4D: false))
        case .rawBOLD:
            try requireBOLDFields(scan.sidecar, item: item)
            scan.header = headerJSON(try streamValidate(path, needs4D: true))
            scan.events = try events(of: item)
        case .grayMatter, .petMap:
            try computeMap(&scan, atlases: targets)
        case .boldSeries:
            try computeSeries(&scan, atlases: targets)
        case .connectome:
            try computeConnectome(&scan)
        case .regionSeries:
            try computeRegionSeries(&scan)
        }
    }

    private func computeMap(_ scan: inout PreparedScan, atlases targets: [AtlasSet.Entry]) throws {
        let item = scan.item
        let path = item.url.path
        let image = try NIfTIImage.read(path: path)
        let header = image.header
        scan.header = headerJSON(header)
        guard header.volumeCount == 1 else {
            throw IngestError.file(path, "is 4-D (\(header.volumeCount) volumes); a 3-D map is required")
        }
        let unit: String
        if item.kind == .petMap {
            try requireFields(["Units"], in: scan.sidecar, item: item)
            unit = "\(scan.sidecar["Units"]!)"
        } else {
            unit = "mm3"
        }
        let grid = try imageGrid(header, path: path)
        let nonFinite = image.nonFiniteCount()
        if nonFinite > 0 && !options.maskNonFinite {
            throw IngestError.file(path, "\(nonFinite) NaN or infinite voxels (use --mask-nonfinite to leave them out and record the count)")
        }
        let values = image.floatValues()
        var groups: [(String, [Int32], [Double], [Float], [Int32])] = []
        for atlas in targets {
            let (parcellation, gridRecord, resampled) = try atlases.parcellation(of: atlas, onto: grid, declaredSpace: item.name["space"], file: path)
            let statistics = parcellation.regionStatistics(of: values)
            let regional = item.kind == .grayMatter ? statistics.sums.map { $0 * grid.voxelVolume } : statistics.means
            var measure = PreparedMeasure(atlas: atlas, gridID: gridRecord?.id, kind: item.kind.measureKind!, unit: unit)
            measure.masked = nonFinite
            measure.resampled = resampled
            measure.usesFile = true
            for (r, region) in atlas.regions.enumerated() where statistics.finiteCounts[r] > 0 {
                measure.values.append(RegionValue(regionID: region.id, value: regional[r], voxelCount: statistics.finiteCounts[r]))
            }
            scan.measures.append(measure)
            groups.append((atlas.record.name, parcellation.labels, regional, parcellation.gather(values), parcellation.voxels))
        }
        scan.staged = try database.files.stage(kind: "subjects", extension: "h5") { url in
            let file = try HDF5File.create(path: url.path)
            defer { file.close() }
            try file.setAttribute("source", item.relativePath)
            try file.setAttribute("kind", item.kind.measureKind!)
            try file.setAttribute("unit", unit)
            for (name, labels, regional, voxelValues, voxelIndex) in groups {
                try file.write("/\(name)/labels", labels, shape: [labels.count])
                try file.write("/\(name)/values", regional, shape: [regional.count])
                if !voxelValues.isEmpty {
                    try file.write("/\(name)/voxels", voxelValues, shape: [voxelValues.count], gzipLevel: 1)
                    try file.write("/\(name)/voxel_index", voxelIndex, shape: [voxelIndex.count], gzipLevel: 1)
                }
            }
        }
    }

    private func computeSeries(_ scan: inout PreparedScan, atlases targets: [AtlasSet.Entry]) throws {
        let item = scan.item
        let path = item.url.path
        try requireBOLDFields(scan.sidecar, item: item)
        var reader = try NIfTIVolumeReader(path: path)
        let header = reader.header
        scan.header = headerJSON(header)
        guard header.dimensions.count >= 4, header.volumeCount > 1 else {
            throw IngestError.file(path, "is 3-D; a BOLD run must be 4-D (x, y, z, time)")
        }
        let grid = try imageGrid(header, path: path)
        var parts: [(AtlasSet.Entry, Parcellation, Int?, Bool)] = []
        for atlas in targets {
            let (parcellation, gridRecord, resampled) = try atlases.parcellation(of: atlas, onto: grid, declaredSpace: item.name["space"], file: path)
            parts.append((atlas, parcellation, gridRecord?.id, resampled))
        }
        let tr = repetitionTime(scan.sidecar)
        let total = header.volumeCount
        // Voxel-level series (opt-in): frames × labelled voxels of one atlas, a row per volume.
        let voxelPart = options.voxelSeriesAtlas.flatMap { name in parts.firstIndex { $0.0.record.name == name } }
        if let name = options.voxelSeriesAtlas, voxelPart == nil {
            throw IngestError("--voxel-series \(name): not one of the atlases being ingested onto (\(parts.map(\.0.record.name).joined(separator: ", ")))")
        }
        var parcellator = SeriesParcellator(parcellations: parts.map(\.1))
        // Everything streams inside the staged file's writer: volume by volume, memory stays at
        // a few volumes, and a failure removes the partial file.
        scan.staged = try database.files.stage(kind: "subjects", extension: "h5") { url in
            let file = try HDF5File.create(path: url.path)
            defer { file.close() }
            try file.setAttribute("source", item.relativePath)
            try file.setAttribute("kind", "bold_timeseries")
            if let tr { try file.setAttribute("repetition_time", tr) }
            var voxelDataset: HDF5Dataset?
            if let k = voxelPart {
                let p = parts[k].1
                try file.write("/\(parts[k].0.record.name)/voxel_index", p.voxels, shape: [p.labelledVoxelCount])
                voxelDataset = try file.createDataset("/\(parts[k].0.record.name)/voxel_series", of: Float.self,
                                                      shape: [total, p.labelledVoxelCount], chunks: [1, p.labelledVoxelCount])
            }
            var buffer: [Float] = []
            while try reader.nextVolume(into: &buffer) {
                parcellator.add(volume: buffer)
                if let dataset = voxelDataset, let k = voxelPart {
                    try dataset.write(parts[k].1.gather(buffer), start: [parcellator.frames - 1, 0], count: [1, parts[k].1.labelledVoxelCount])
                }
                if parcellator.frames % 100 == 0 { progress("  \(item.name.suffix) \(parcellator.frames)/\(total) volumes") }
            }
            let bad = parcellator.nonFiniteVoxels.max() ?? 0
            if bad > 0 && !options.maskNonFinite {
                throw IngestError.file(path, "\(bad) NaN or infinite voxel values inside atlas regions (use --mask-nonfinite to leave them out and record the count)")
            }
            for (k, part) in parts.enumerated() {
                let name = part.0.record.name
                try file.write("/\(name)/labels", part.1.labels, shape: [part.1.regionCount])
                try file.write("/\(name)/series", parcellator.series[k], shape: [parcellator.frames, part.1.regionCount])
            }
        }
        for (k, part) in parts.enumerated() {
            var measure = PreparedMeasure(atlas: part.0, gridID: part.2, kind: "bold_timeseries", unit: "image units")
            measure.frames = parcellator.frames
            measure.repetitionTime = tr
            measure.masked = parcellator.nonFiniteVoxels[k]
            measure.resampled = part.3
            measure.usesFile = true
            // Regional rows: the voxel count behind each region's series (the value is its temporal mean).
            let regions = part.1.regionCount
            let series = parcellator.series[k]
            for (r, region) in part.0.regions.enumerated() where part.1.voxelCount(ofRegion: r) > 0 {
                var sum = 0.0
                for f in 0..<parcellator.frames { sum += Double(series[f * regions + r]) }
                let mean = sum / Double(parcellator.frames)
                if mean.isFinite { measure.values.append(RegionValue(regionID: region.id, value: mean, voxelCount: part.1.voxelCount(ofRegion: r))) }
            }
            scan.measures.append(measure)
        }
    }

    private func computeConnectome(_ scan: inout PreparedScan) throws {
        let item = scan.item
        let path = item.url.path
        let atlas = try namedAtlas(item)
        let matrix = try ConnectomeTable.read(item.url, atlas: atlas)
        let desc = item.name["desc"] ?? "density"
        let kind: String
        switch desc {
        case "density", "count", "sift2": kind = "tract_density"
        case "length", "lengths": kind = "tract_length"
        default: throw IngestError.file(path, "desc-\(desc): a connectome is desc-density or desc-length")
        }
        let unit = (scan.sidecar["Units"] as? String) ?? (kind == "tract_length" ? "mm" : "streamline density")
        var measure = PreparedMeasure(atlas: atlas, gridID: nil, kind: kind, unit: unit)
        let n = atlas.regions.count
        for i in 0..<n {
            for j in 0..<n where matrix[i * n + j] != 0 {
                measure.edges.append((atlas.regions[i].id, atlas.regions[j].id, matrix[i * n + j]))
            }
        }
        scan.header = ["rows": n, "columns": n]
        scan.measures.append(measure)
    }

    /// A region × time table (header: the atlas's region names in order; one row per frame).
    private func computeRegionSeries(_ scan: inout PreparedScan) throws {
        let item = scan.item
        let path = item.url.path
        let atlas = try namedAtlas(item)
        guard let tr = repetitionTime(scan.sidecar) else {
            throw IngestError.file(path, "missing required sidecar field RepetitionTime (or VolumeTiming)")
        }
        let (header, rows) = try readTSV(item.url)
        let names = atlas.regions.map(\.name)
        guard header.count == names.count else {
            throw IngestError.file(path, "has \(header.count) columns; atlas \(atlas.record.name) has \(names.count) regions")
        }
        if let k = (0..<names.count).first(where: { header[$0] != names[$0] }) {
            throw IngestError.file(path, "region order does not match atlas \(atlas.record.name): column \(k + 1) is '\(header[k])', the atlas's region \(k + 1) is '\(names[k])'")
        }
        guard !rows.isEmpty else { throw IngestError.file(path, "has no time points") }
        var series: [Float] = []
        series.reserveCapacity(rows.count * names.count)
        for (t, row) in rows.enumerated() {
            for (r, cell) in row.enumerated() {
                guard let value = Float(cell), value.isFinite else {
                    throw IngestError.file(path, "line \(t + 2), column \(r + 1): '\(cell)' is not a finite number")
                }
                series.append(value)
            }
        }
        var measure = PreparedMeasure(atlas: atlas, gridID: nil, kind: "bold_timeseries", unit: (scan.sidecar["Units"] as? String) ?? "image units")
        measure.frames = rows.count
        measure.repetitionTime = tr
        measure.usesFile = true
        for (r, region) in atlas.regions.enumerated() {
            let mean = (0..<rows.count).reduce(0.0) { $0 + Double(series[$1 * names.count + r]) } / Double(rows.count)
            measure.values.append(RegionValue(regionID: region.id, value: mean, voxelCount: 1))
        }
        scan.header = ["rows": rows.count, "columns": names.count]
        scan.measures.append(measure)
        let labels = atlas.labels, frames = rows.count
        scan.staged = try database.files.stage(kind: "subjects", extension: "h5") { url in
            let file = try HDF5File.create(path: url.path)
            defer { file.close() }
            try file.setAttribute("source", item.relativePath)
            try file.setAttribute("kind", "bold_timeseries")
            try file.setAttribute("repetition_time", tr)
            try file.write("/\(atlas.record.name)/labels", labels, shape: [labels.count])
            try file.write("/\(atlas.record.name)/series", series, shape: [frames, labels.count])
        }
    }

    private func namedAtlas(_ item: Item) throws -> AtlasSet.Entry {
        guard let atlasName = item.name["atlas"] else {
            throw IngestError.file(item.url.path, "a region-level file needs the atlas- entity naming its atlas")
        }
        guard let atlas = atlases.entry(named: atlasName) else {
            throw IngestError.file(item.url.path, "atlas-\(atlasName) is not an atlas being ingested onto (have: \(atlases.atlases.map(\.record.name).joined(separator: ", ")))")
        }
        return atlas
    }

    // MARK: Validation helpers

    private func imageGrid(_ header: NIfTIHeader, path: String) throws -> VoxelGrid {
        guard header.sformCode > 0 || header.qformCode > 0 else {
            throw IngestError.file(path, "has no sform or qform orientation (both codes 0); it cannot be placed in a template space")
        }
        return VoxelGrid(dimensions: Array(header.dimensions.prefix(3)) + Array(repeating: 1, count: max(0, 3 - header.dimensions.count)),
                         affine: header.affine)
    }

    /// Reads every volume (so a truncated or corrupt file is caught) in bounded memory.
    private func streamValidate(_ path: String, needs4D: Bool) throws -> NIfTIHeader {
        var reader = try NIfTIVolumeReader(path: path)
        if needs4D && !(reader.header.dimensions.count >= 4 && reader.volumeCount > 1) {
            throw IngestError.file(path, "is 3-D; this scan must be 4-D")
        }
        var buffer: [Float] = []
        while try reader.nextVolume(into: &buffer) {}
        return reader.header
    }

    private func requireFields(_ fields: [String], in sidecar: [String: Any], item: Item) throws {
        let missing = fields.filter { sidecar[$0] == nil }
        guard missing.isEmpty else {
            throw IngestError.file(item.url.path, "missing required sidecar field\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
        }
    }

    private func requireBOLDFields(_ sidecar: [String: Any], item: Item) throws {
        try requireFields(["TaskName"], in: sidecar, item: item)
        guard sidecar["RepetitionTime"] != nil || sidecar["VolumeTiming"] != nil else {
            throw IngestError.file(item.url.path, "missing required sidecar field RepetitionTime (or VolumeTiming)")
        }
        if let tr = sidecar["RepetitionTime"], !((tr as? NSNumber).map { $0.doubleValue > 0 } ?? false) {
            throw IngestError.file(item.url.path, "sidecar field RepetitionTime must be a positive number of seconds")
        }
    }

    private func repetitionTime(_ sidecar: [String: Any]) -> Double? {
        if let tr = (sidecar["RepetitionTime"] as? NSNumber)?.doubleValue { return tr }
        if let timing = sidecar["VolumeTiming"] as? [NSNumber], timing.count > 1 {
            return (timing.last!.doubleValue - timing.first!.doubleValue) / Double(timing.count - 1)
        }
        return nil
    }

    private func gradients(of item: Item, volumes: Int) throws -> (bvals: [Double], bvecs: [Double]) {
        let stem = String(item.url.path.dropLast(item.name.fileExtension.count))
        let bvalURL = URL(fileURLWithPath: stem + ".bval"), bvecURL = URL(fileURLWithPath: stem + ".bvec")
        func numbers(_ url: URL) throws -> [[Double]] {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw IngestError.file(url.path, "missing: a DWI scan needs its .bval and .bvec")
            }
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw IngestError.file(url.path, "cannot read: \(readReason(url))")
            }
            return try text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { line in
                try line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { token in
                    guard let value = Double(token) else { throw IngestError.file(url.path, "'\(token)' is not a number") }
                    return value
                }
            }
        }
        let bvals = try numbers(bvalURL).flatMap { $0 }
        guard bvals.count == volumes else {
            throw IngestError.file(bvalURL.path, "has \(bvals.count) b-values but the DWI image has \(volumes) volumes")
        }
        let bvecRows = try numbers(bvecURL)
        guard bvecRows.count == 3, bvecRows.allSatisfy({ $0.count == volumes }) else {
            throw IngestError.file(bvecURL.path, "has \(bvecRows.count) rows of \(bvecRows.map { String($0.count) }.joined(separator: "/")) vectors; expected 3 rows of \(volumes) (one per DWI volume)")
        }
        return (bvals, bvecRows.flatMap { $0 })
    }

    private func events(of item: Item) throws -> [(onset: Double, duration: Double, trialType: String?, extra: [String: String])] {
        let stem = String(item.url.path.dropLast(item.name.fileExtension.count + "bold".count))
        let url = URL(fileURLWithPath: stem + "events.tsv")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let (header, rows) = try readTSV(url)
        guard let onsetColumn = header.firstIndex(of: "onset"), let durationColumn = header.firstIndex(of: "duration") else {
            throw IngestError.file(url.path, "an events file needs onset and duration columns")
        }
        let typeColumn = header.firstIndex(of: "trial_type")
        return try rows.enumerated().map { index, row in
            guard let onset = Double(row[onsetColumn]) else {
                throw IngestError.file(url.path, "line \(index + 2): onset '\(row[onsetColumn])' is not a number")
            }
            let duration = Double(row[durationColumn]) ?? 0
            var extra: [String: String] = [:]
            for (c, column) in header.enumerated() where ![onsetColumn, durationColumn, typeColumn].contains(c) { extra[column] = row[c] }
            return (onset, max(0, duration), typeColumn.map { row[$0] }, extra)
        }
    }

    /// The raw scan a derivative was computed from: same session and data type, the entities it
    /// shares with the derivative (space, desc, label, ... dropped).
    private func rawCounterpart(of item: Item) -> Item? {
        guard item.pipeline != nil else { return nil }
        let derivedOnly: Set<String> = ["space", "desc", "res", "den", "label", "atlas", "seg", "model", "meas", "from", "to", "mode"]
        let wanted = item.name.entities.filter { !derivedOnly.contains($0.key) }
        let suffix: String
        switch item.kind {
        case .grayMatter: suffix = "T1w"
        case .connectome: suffix = "dwi"
        case .regionSeries: suffix = "bold"
        default: suffix = item.name.suffix
        }
        let folder = dataset.sessionFolder(base: dataset.root, subject: subject, session: session).appendingPathComponent(item.datatype)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        for entry in entries {
            guard let name = BIDSName(entry), name.suffix == suffix, name.fileExtension.hasPrefix(".nii") else { continue }
            if name.entities.map(\.key) == wanted.map(\.key) && name.entities.map(\.value) == wanted.map(\.value) {
                let url = folder.appendingPathComponent(entry)
                return Item(url: url, relativePath: dataset.relativePath(url), name: name, datatype: item.datatype, pipeline: nil, kind: .rawImage)
            }
        }
        return nil
    }

    /// Merged sidecar: for a derivative, its raw scan's (inherited) sidecar under the derivative's own chain.
    private func sidecar(for item: Item, raw: Item?) throws -> [String: Any] {
        var merged: [String: Any] = [:]
        if let raw { merged = try Sidecars.merged(for: raw.url, name: raw.name, root: dataset.root) }
        let own = try Sidecars.merged(for: item.url, name: item.name, root: item.pipeline?.root ?? dataset.root)
        for (key, value) in own { merged[key] = value }
        return merged
    }

    /// `acq_time` from the session's `_scans.tsv`, when it lists the file.
    private func acquisitionTime(of item: Item) -> Date? {
        let folder = dataset.sessionFolder(base: item.pipeline?.root ?? dataset.root, subject: subject, session: session)
        let url = folder.appendingPathComponent("sub-\(subject)\(session.isEmpty ? "" : "_ses-\(session)")_scans.tsv")
        guard let (header, rows) = try? readTSV(url), let fileColumn = header.firstIndex(of: "filename"),
              let timeColumn = header.firstIndex(of: "acq_time") else { return nil }
        let relative = "\(item.datatype)/\(item.url.lastPathComponent)"
        guard let row = rows.first(where: { $0[fileColumn] == relative }) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        if let date = formatter.date(from: row[timeColumn]) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: row[timeColumn])
    }

    private func headerJSON(_ header: NIfTIHeader) -> [String: Any] {
        [
            "nifti_version": header.version, "dimensions": header.dimensions, "pixdim": header.pixdim,
            "datatype": "\(header.datatype)", "spatial_units": header.spatialUnits, "temporal_units": header.temporalUnits,
            "sform_code": header.sformCode, "qform_code": header.qformCode, "affine": header.affine.flatMap { $0 },
            "scl_slope": header.sclSlope, "scl_inter": header.sclInter,
        ]
    }

    // MARK: Writing, inside the transaction

    private func write(_ prepared: [PreparedScan], modalities: [String], on connection: PostgresConnection) throws {
        try connection.advisoryTransactionLock(Int64(truncatingIfNeeded: subject.hashValueStable))
        let subjectID = try subjectRow(on: connection)
        let sessionID = try connection.query("""
            INSERT INTO session (subject_id, label) VALUES ($1, $2)
            ON CONFLICT (subject_id, label) DO UPDATE SET label = EXCLUDED.label RETURNING id
            """, [subjectID, session]).scalar().int!
        var scanIDs: [String: Int] = [:]
        var pipelineIDs: [String: Int] = [:]
        func pipelineID(_ pipeline: DerivativePipeline) throws -> Int {
            if let id = pipelineIDs[pipeline.root.path] { return id }
            let id = try connection.query("""
                INSERT INTO pipeline (name, version, generated_by) VALUES ($1, $2, $3)
                ON CONFLICT (name, version) DO UPDATE SET name = EXCLUDED.name RETURNING id
                """, [pipeline.name, pipeline.version, PostgresJSON(text: jsonText(pipeline.generatedBy))]).scalar().int!
            pipelineIDs[pipeline.root.path] = id
            return id
        }
        for scan in prepared {
            let item = scan.item
            let scanID: Int
            if let existing = scan.unchangedID {
                scanID = existing
            } else {
                let pipeline = try item.pipeline.map(pipelineID)
                let source = scan.sourceRelativePath.flatMap { scanIDs[$0] }
                scanID = try connection.query("""
                    INSERT INTO scan (session_id, modality, suffix, bids_path, version, sha256, size_bytes, entities,
                                      header, sidecar, acquisition_time, pipeline_id, source_scan_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
                    """, [sessionID, item.datatype, item.name.suffix, item.relativePath, scan.version, scan.sha256, scan.size,
                          PostgresJSON(text: jsonText(item.name.entityDictionary)), PostgresJSON(text: jsonText(scan.header)),
                          PostgresJSON(text: jsonText(scan.sidecar)), scan.acquisitionTime, pipeline, source]).scalar().int!
                if let gradients = scan.gradients {
                    try connection.query("INSERT INTO dwi_gradient (scan_id, bvals, bvecs) VALUES ($1, $2, $3)",
                                         [scanID, gradients.bvals, gradients.bvecs])
                }
                if !scan.events.isEmpty {
                    try connection.copyIn("COPY task_event (scan_id, ordinal, onset, duration, trial_type, extra) FROM STDIN") { writer in
                        for (index, event) in scan.events.enumerated() {
                            try writer.row([scanID, index + 1, event.onset, event.duration, event.trialType,
                                            PostgresJSON(text: jsonText(event.extra))])
                        }
                    }
                }
            }
            scanIDs[item.relativePath] = scanID
            guard !scan.measures.isEmpty else { continue }
            let file = try scan.staged.map { try database.files.register($0, on: connection) }
            let pipeline = try pipelineID(item.pipeline!)
            for measure in scan.measures {
                let measureID = try connection.query("""
                    INSERT INTO measure (scan_id, atlas_id, grid_id, pipeline_id, kind, unit, region_count, frames,
                                         repetition_time, masked_voxels, resampled, file_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id
                    """, [scanID, measure.atlas.record.id, measure.gridID, pipeline, measure.kind, measure.unit,
                          measure.atlas.regions.count, measure.frames, measure.repetitionTime, measure.masked,
                          measure.resampled, measure.usesFile ? file?.id : nil]).scalar().int!
                if !measure.values.isEmpty {
                    try connection.copyIn("COPY regional_value (measure_id, region_id, value, voxel_count) FROM STDIN") { writer in
                        for value in measure.values { try writer.row([measureID, value.regionID, value.value, value.voxelCount]) }
                    }
                }
                if !measure.edges.isEmpty {
                    try connection.copyIn("COPY connectome_edge (measure_id, source_region_id, target_region_id, value) FROM STDIN") { writer in
                        for (source, target, value) in measure.edges { try writer.row([measureID, source, target, value]) }
                    }
                }
            }
        }
        let payload: [String: Any] = ["subject": subject, "session": session, "modalities": modalities]
        try connection.notify(SubjectIngester.notificationChannel, payload: jsonText(payload))
        if let stall = ProcessInfo.processInfo.environment["DTB_INGEST_STALL_BEFORE_COMMIT"], let seconds = Double(stall) {
            // Crash-safety tests: the process is killed here, with rows written and files in place but nothing committed.
            FileHandle.standardError.write(Data("dtb: stalling before commit\n".utf8))
            Thread.sleep(forTimeInterval: seconds)
        }
    }

    /// The subject's id, refusing a stored subject of the same label with different data;
    /// with `insert` false, only checks (returns -1 for a new subject).
    private func subjectRow(on connection: PostgresConnection, insert: Bool = true) throws -> Int {
        let participant = dataset.participants[subject] ?? [:]
        let participantJSON = PostgresJSON(text: jsonText(participant))
        if let row = try connection.query("""
            SELECT id, dataset, participant = $2 AS same FROM subject WHERE label = $1
            """, [subject, participantJSON]).first {
            if dataset.directPipeline != nil { return row["id"].int! }   // direct files: the stored subject as it is
            let where_ = dataset.participants.isEmpty ? dataset.root.appendingPathComponent("sub-\(subject)").path
                : dataset.root.appendingPathComponent("participants.tsv").path
            guard row["dataset"].string == dataset.name else {
                throw IngestError.file(where_, "duplicate subject label sub-\(subject): already stored from dataset '\(row["dataset"].string!)', this is '\(dataset.name)'")
            }
            guard row["same"].bool == true else {
                throw IngestError.file(where_, "duplicate subject label sub-\(subject) with different participant data than the stored subject")
            }
            return row["id"].int!
        }
        guard insert else { return -1 }
        return try connection.query("INSERT INTO subject (label, dataset, participant) VALUES ($1, $2, $3) RETURNING id",
                                    [subject, dataset.name, participantJSON]).scalar().int!
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

extension String {
    /// FNV-1a: a hash that is the same in every process (advisory-lock keys).
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
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
