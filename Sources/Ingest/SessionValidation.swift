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
        return VoxelGrid(dimensions: Array(header.dimensions.prefix(3)) + Array(repeating: 1, count: max(0, 3 - header.dimensions.count)),
                         affine: header.affine)
    }

    /// Reads every volume (so a truncated or corrupt file is caught) in bounded memory.
    func streamValidate(_ path: String, needs4D: Bool) throws -> NIfTIHeader {
        var reader = try NIfTIVolumeReader(path: path)
        if needs4D && !(reader.header.dimensions.count >= 4 && reader.volumeCount > 1) {
            throw IngestError.file(path, "is 3-D; this scan must be 4-D")
        }
        var buffer: [Float] = []
        while try reader.nextVolume(into: &buffer) {}
        return reader.header
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
        if let tr = sidecar["RepetitionTime"], !((tr as? NSNumber).map { $0.doubleValue > 0 } ?? false) {
            throw IngestError.file(item.url.path, "sidecar field RepetitionTime must be a positive number of seconds")
        }
    }

    func repetitionTime(_ sidecar: [String: Any]) -> Double? {
        if let tr = (sidecar["RepetitionTime"] as? NSNumber)?.doubleValue { return tr }
        if let timing = sidecar["VolumeTiming"] as? [NSNumber], timing.count > 1 {
            return (timing.last!.doubleValue - timing.first!.doubleValue) / Double(timing.count - 1)
        }
        return nil
    }

    func gradients(of item: Item, volumes: Int) throws -> (bvals: [Double], bvecs: [Double]) {
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

    /// The run's events: none when it has no events file (a rest run).
    func events(of item: Item) throws -> [(onset: Double, duration: Double, trialType: String?, extra: [String: String])] {
        guard let url = eventsFile(of: item) else { return [] }
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

    /// A BOLD run's `events.tsv`: beside a raw image (same stem); for a region time series, the
    /// run's `_events.tsv` (its entities, derived ones dropped) beside the series or in the
    /// session's raw `func` folder — where a dataset of region-level files keeps them.
    func eventsFile(of item: Item) -> URL? {
        let candidates: [URL]
        if item.kind == .regionSeries {
            let run = item.name.entities.filter { !Self.derivedEntities.contains($0.key) }
            let name = run.map { "\($0.key)-\($0.value)" }.joined(separator: "_") + "_events.tsv"
            let raw = dataset.sessionFolder(base: dataset.root, subject: subject, session: session).appendingPathComponent(item.datatype)
            candidates = [item.url.deletingLastPathComponent().appendingPathComponent(name), raw.appendingPathComponent(name)]
        } else {
            candidates = [URL(fileURLWithPath: String(item.url.path.dropLast(item.name.fileExtension.count + "bold".count)) + "events.tsv")]
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
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
