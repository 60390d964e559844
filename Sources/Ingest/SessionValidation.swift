import AtlasCatalog
import Foundation
import HDF5Kit
import Imaging
import NIfTI
import Postgres
import Store

/// Checks of headers, sidecars and companion files, and the metadata read from them.
extension SessionIngest {
    // MARK: Validation helpers

    func imageGrid(_ header: NIfTIHeader, path: String) throws -> VoxelGrid {
        guard header.sformCode > 0 || header.qformCode > 0 else {
            throw IngestError.file(path, "has no sform or qform orientation (both codes 0); it cannot be placed in a template space")
        }
        let grid = VoxelGrid(dimensions: Array(header.dimensions.prefix(3)) + Array(repeating: 1, count: max(0, 3 - header.dimensions.count)),
                             affine: header.affine)
        if let problem = ImageLimits.problem(with: grid) { throw IngestError.file(path, problem) }
        return grid
    }

    /// Reads every volume (so a truncated or corrupt file is caught) in bounded memory.
    func streamValidate(_ path: String, needs4D: Bool) throws -> NIfTIHeader {
        var reader = try NIfTIVolumeReader(path: path)
        if needs4D && !(reader.header.dimensions.count >= 4 && reader.volumeCount > 1) {
            throw IngestError.file(path, "is 3-D; this scan must be 4-D")
        }
        try checkSize(reader.header, path: path)
        var buffer: [Float] = []
        while try reader.nextVolume(into: &buffer) {}
        return reader.header
    }

    /// Refuses an image whose volumes are larger than ``ImageLimits`` allows, before its voxels are read.
    func checkSize(_ header: NIfTIHeader, path: String) throws {
        if let problem = ImageLimits.problem(with: header) { throw IngestError.file(path, problem) }
    }

    /// Refuses a gray-matter map with a (finite) value outside [0, 1], naming the first such voxel:
    /// a probability of -0.5 would become a negative volume.
    func checkProbabilities(_ values: [Float], header: NIfTIHeader, path: String) throws {
        guard let index = values.firstIndex(where: { $0.isFinite && !(0...1).contains($0) }) else { return }
        let nx = header.dimensions[0], ny = header.dimensions.count > 1 ? header.dimensions[1] : 1
        let voxel = [index % nx, (index / nx) % ny, index / (nx * ny)].map(String.init).joined(separator: ", ")
        throw IngestError.file(path, "voxel (\(voxel)) has gray-matter probability \(values[index]), outside [0, 1]")
    }

    func requireFields(_ fields: [String], in sidecar: [String: Any], item: Item) throws {
        let missing = fields.filter { sidecar[$0] == nil }
        guard missing.isEmpty else {
            throw IngestError.file(item.url.path, "missing required sidecar field\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
        }
    }

    func requireBOLDFields(_ sidecar: [String: Any], item: Item) throws {
        try requireFields(["TaskName"], in: sidecar, item: item)
        guard sidecar["RepetitionTime"] != nil || sidecar["VolumeTiming"] != nil else {
            throw IngestError.file(item.url.path, "missing required sidecar field RepetitionTime (or VolumeTiming)")
        }
        _ = try repetitionTime(sidecar, item: item)
    }

    /// The sidecar's repetition time, its timing fields checked (``Companions/repetitionTime(_:path:)``).
    func repetitionTime(_ sidecar: [String: Any], item: Item) throws -> Double? {
        try Companions.repetitionTime(sidecar, path: item.url.path)
    }

    /// Refuses a 4-D image whose volume count differs from the one its sidecar states.
    func checkStatedFrames(_ sidecar: [String: Any], volumes: Int, item: Item) throws {
        guard let stated = Companions.statedFrameCount(sidecar), stated != volumes else { return }
        let field = sidecar["VolumeTiming"] != nil ? "VolumeTiming" : "NumberOfVolumes"
        throw IngestError.file(item.url.path, "has \(volumes) volumes but its sidecar states \(stated) (\(field))")
    }

    func gradients(of item: Item, volumes: Int) throws -> (bvals: [Double], bvecs: [Double]) {
        let stem = String(item.url.path.dropLast(item.name.fileExtension.count))
        let bvalURL = URL(fileURLWithPath: stem + ".bval"), bvecURL = URL(fileURLWithPath: stem + ".bvec")
        func numbers(_ url: URL) throws -> [[Double]] {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw IngestError.file(url.path, "missing: a DWI scan needs its .bval and .bvec")
            }
            return try Companions.numberRows(try readText(url), path: url.path)
        }
        let bvals = try numbers(bvalURL).flatMap { $0 }
        try Companions.checkBValues(bvals, volumes: volumes, path: bvalURL.path)
        let bvecRows = try numbers(bvecURL)
        guard bvecRows.count == 3, bvecRows.allSatisfy({ $0.count == volumes }) else {
            throw IngestError.file(bvecURL.path, "has \(bvecRows.count) rows of \(bvecRows.map { String($0.count) }.joined(separator: "/")) vectors; expected 3 rows of \(volumes) (one per DWI volume)")
        }
        return (bvals, bvecRows.flatMap { $0 })
    }

    /// The run's events: none when it has no events file (a rest run).
    func events(of item: Item) throws -> [TaskEvent] {
        guard let url = eventsFile(of: item) else { return [] }
        let (header, rows) = try readTSV(url)
        return try Companions.events(header: header, rows: rows, path: url.path)
    }

    /// A BOLD run's `events.tsv`: beside a raw image (same stem); for a region time series, the
    /// run's `_events.tsv` (its entities, derived ones dropped) beside the series or in the
    /// session's raw `func` folder — where a dataset of region-level files keeps them.
    func eventsFile(of item: Item) -> URL? {
        let candidates: [URL]
        if item.kind == .regionSeries {
            let run = item.name.entities.filter { !Self.derivedEntities.contains($0.key) }
            let name = run.map { "\($0.key)-\($0.value)" }.joined(separator: "_") + "_events.tsv"
            let raw = rawFolder(of: item)
            candidates = [item.url.deletingLastPathComponent().appendingPathComponent(name), raw.appendingPathComponent(name)]
        } else {
            candidates = [URL(fileURLWithPath: String(item.url.path.dropLast(item.name.fileExtension.count + "bold".count)) + "events.tsv")]
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The session's raw folder of the item's data type (`sub-*/ses-*/func`, …).
    func rawFolder(of item: Item) -> URL {
        dataset.sessionFolder(base: dataset.root, subject: subject, session: session).appendingPathComponent(item.datatype)
    }

    /// Entities a derivative adds to its raw scan's name.
    static let derivedEntities: Set<String> = ["space", "desc", "res", "den", "label", "atlas", "seg", "model", "meas", "from", "to", "mode"]

    /// The raw scan a derivative was computed from: same session and data type, the entities it
    /// shares with the derivative (space, desc, label, ... dropped).
    func rawCounterpart(of item: Item) -> Item? {
        guard item.pipeline != nil else { return nil }
        let wanted = item.name.entities.filter { !Self.derivedEntities.contains($0.key) }
        let suffix: String
        switch item.kind {
        case .grayMatter, .grayMatterTable: suffix = "T1w"
        case .connectome: suffix = "dwi"
        case .regionSeries: suffix = "bold"
        default: suffix = item.name.suffix
        }
        let folder = rawFolder(of: item)
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
    func sidecar(for item: Item, raw: Item?) throws -> [String: Any] {
        var merged: [String: Any] = [:]
        if let raw { merged = try Sidecars.merged(for: raw.url, name: raw.name, root: dataset.root) }
        let own = try Sidecars.merged(for: item.url, name: item.name, root: item.pipeline?.root ?? dataset.root)
        for (key, value) in own { merged[key] = value }
        return merged
    }

    /// `acq_time` from the session's `_scans.tsv`, when it lists the file.
    func acquisitionTime(of item: Item) -> Date? {
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

    func headerJSON(_ header: NIfTIHeader) -> [String: Any] {
        [
            "nifti_version": header.version, "dimensions": header.dimensions, "pixdim": header.pixdim,
            "datatype": "\(header.datatype)", "spatial_units": header.spatialUnits, "temporal_units": header.temporalUnits,
            "sform_code": header.sformCode, "qform_code": header.qformCode, "affine": header.affine.flatMap { $0 },
            "scl_slope": header.sclSlope, "scl_inter": header.sclInter,
        ]
    }
}
