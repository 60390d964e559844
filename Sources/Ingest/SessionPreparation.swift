import AtlasCatalog
import Foundation
import HDF5Kit
import Imaging
import NIfTI
import Postgres
import Store

/// Reading, validating and parcellating a session's files, outside any transaction.
extension SessionIngest {
    // MARK: Preparing (reading, validating, computing) outside the transaction

    func prepare(_ item: Item, skipped: inout [String]) throws -> PreparedScan? {
        // A derivative image in a space no atlas is in (T1w, fsnative, ...) is another output of the
        // pipeline, not something to parcellate: skip it, and say so.
        if item.kind.isDerivative, !item.kind.isRegionLevel, let space = item.name["space"],
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
        // attributesOfItem does not follow a symbolic link; the type that matters is its target's.
        let target = try? FileManager.default.attributesOfItem(atPath: item.url.resolvingSymlinksInPath().path)
        switch (target ?? attributes)[.type] as? FileAttributeType {
        case .typeRegular?: break
        case .typeDirectory?: throw IngestError.file(item.url.path, "is a directory, not a file")
        // Hashing or opening a FIFO would wait for a writer for ever; a device or socket is no scan.
        default: throw IngestError.file(item.url.path, "is not a regular file (a FIFO, socket or device)")
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
                                                    [existingID, [measureKind, .tractLength].map(\.rawValue)]).map { $0[0].int! })
                let missing = atlases.atlases.filter { !done.contains($0.record.id) }
                scan = PreparedScan(item: item, sha256: sha, size: size, unchangedID: existingID, version: version)
                if missing.isEmpty || item.kind.isRegionLevel { return scan }
                try compute(&scan, atlases: missing)
                return scan
            }
            scan = PreparedScan(item: item, sha256: sha, size: size, unchangedID: nil, version: latest[1].int! + 1)
            try compute(&scan, atlases: atlases.atlases)
        } else {
            scan = PreparedScan(item: item, sha256: "", size: size, unchangedID: nil, version: 1)
            do { try compute(&scan, atlases: atlases.atlases) } catch {
                // The hash thread must end before the error does: a process exiting under it
                // tears libcrypto down, and its SHA-256 would then fail to initialise and trap.
                _ = try? hash.value()
                throw error
            }
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
    func changedCompanions(of item: Item, storedScan: Int) throws -> [String] {
        guard item.kind != .rawImage, !item.kind.isRegionLevel else { return [] }
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
        case .regionSeries:
            let stored = try connection.query("SELECT count(*) FROM task_event WHERE scan_id = $1", [storedScan]).scalar().int
            if stored != (try events(of: item)).count { differs.append("events") }
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
    func compute(_ scan: inout PreparedScan, atlases targets: [AtlasSet.Entry]) throws {
        let item = scan.item
        let path = item.url.path
        let source = rawCounterpart(of: item)
        scan.sourceRelativePath = source.map { dataset.relativePath($0.url) }
        scan.sidecar = try sidecar(for: item, raw: source)
        scan.acquisitionTime = acquisitionTime(of: item)
        switch item.kind {
        case .rawImage:
            scan.header = headerJSON(try streamValidate(path, needs4D: false))
        case .rawDWI:
            let header = try streamValidate(path, needs4D: true)
            scan.header = headerJSON(header)
            scan.gradients = try gradients(of: item, volumes: header.volumeCount)
        case .rawPET:
            try requireFields(Self.requiredPETFields, in: scan.sidecar, item: item)
            scan.header = headerJSON(try streamValidate(path, needs4D: false))
        case .rawBOLD:
            try requireBOLDFields(scan.sidecar, item: item)
            let header = try streamValidate(path, needs4D: true)
            try checkStatedFrames(scan.sidecar, volumes: header.volumeCount, item: item)
            scan.header = headerJSON(header)
            scan.events = try events(of: item)
        case .grayMatter, .petMap:
            try computeMap(&scan, atlases: targets)
        case .boldSeries:
            try computeSeries(&scan, atlases: targets)
        case .connectome:
            try computeConnectome(&scan)
        case .regionSeries:
            try computeRegionSeries(&scan)
            scan.events = try events(of: item)
        case .grayMatterTable, .petTable:
            try computeRegionTable(&scan)
        }
    }

    func computeMap(_ scan: inout PreparedScan, atlases targets: [AtlasSet.Entry]) throws {
        let item = scan.item
        let path = item.url.path
        var reader = try NIfTIVolumeReader(path: path)
        let header = reader.header
        scan.header = headerJSON(header)
        guard header.volumeCount == 1 else {
            throw IngestError.file(path, "is 4-D (\(header.volumeCount) volumes); a 3-D map is required")
        }
        try checkSize(header, path: path)
        let unit: String
        if item.kind == .petMap {
            try requireFields(["Units"], in: scan.sidecar, item: item)
            unit = try Companions.text(scan.sidecar, "Units", path: path) ?? ""
        } else {
            unit = "mm3"
        }
        let grid = try imageGrid(header, path: path)
        var values: [Float] = []
        _ = try reader.nextVolume(into: &values)
        let nonFinite = values.reduce(0) { $1.isFinite ? $0 : $0 + 1 }
        if nonFinite > 0 && !options.maskNonFinite {
            throw IngestError.file(path, "\(nonFinite) NaN or infinite voxels (use --mask-nonfinite to leave them out and record the count)")
        }
        if item.kind == .grayMatter { try checkProbabilities(values, header: header, path: path) }
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
            try file.setAttribute("kind", item.kind.measureKind!.rawValue)
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

    func computeSeries(_ scan: inout PreparedScan, atlases targets: [AtlasSet.Entry]) throws {
        let item = scan.item
        let path = item.url.path
        try requireBOLDFields(scan.sidecar, item: item)
        var reader = try NIfTIVolumeReader(path: path)
        let header = reader.header
        scan.header = headerJSON(header)
        guard header.dimensions.count >= 4, header.volumeCount > 1 else {
            throw IngestError.file(path, "is 3-D; a BOLD run must be 4-D (x, y, z, time)")
        }
        try checkSize(header, path: path)
        let grid = try imageGrid(header, path: path)
        var parts: [(AtlasSet.Entry, Parcellation, Int?, Bool)] = []
        for atlas in targets {
            let (parcellation, gridRecord, resampled) = try atlases.parcellation(of: atlas, onto: grid, declaredSpace: item.name["space"], file: path)
            parts.append((atlas, parcellation, gridRecord?.id, resampled))
        }
        let tr = try repetitionTime(scan.sidecar, item: item)
        let total = header.volumeCount
        try checkStatedFrames(scan.sidecar, volumes: total, item: item)
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
            try file.setAttribute("kind", MeasureKind.boldTimeseries.rawValue)
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
            var measure = PreparedMeasure(atlas: part.0, gridID: part.2, kind: .boldTimeseries, unit: "image units")
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

    func computeConnectome(_ scan: inout PreparedScan) throws {
        let item = scan.item
        let path = item.url.path
        let atlas = try namedAtlas(item)
        let matrix = try ConnectomeTable.read(item.url, atlas: atlas)
        let desc = item.name["desc"] ?? "density"
        let kind: MeasureKind
        switch desc {
        case "density", "count", "sift2": kind = .tractDensity
        case "length", "lengths": kind = .tractLength
        default: throw IngestError.file(path, "desc-\(desc): a connectome is desc-density or desc-length")
        }
        let unit = (scan.sidecar["Units"] as? String) ?? (kind == .tractLength ? "mm" : "streamline density")
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
    func computeRegionSeries(_ scan: inout PreparedScan) throws {
        let item = scan.item
        let path = item.url.path
        let atlas = try namedAtlas(item)
        guard let tr = try repetitionTime(scan.sidecar, item: item) else {
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
        if let stated = Companions.statedFrameCount(scan.sidecar), stated != rows.count {
            throw IngestError.file(path, "has \(rows.count) time points but its sidecar states \(stated) (\(scan.sidecar["VolumeTiming"] != nil ? "VolumeTiming" : "NumberOfVolumes"))")
        }
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
        var measure = PreparedMeasure(atlas: atlas, gridID: nil, kind: .boldTimeseries, unit: (scan.sidecar["Units"] as? String) ?? "image units")
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
            try file.setAttribute("kind", MeasureKind.boldTimeseries.rawValue)
            try file.setAttribute("repetition_time", tr)
            try file.write("/\(atlas.record.name)/labels", labels, shape: [labels.count])
            try file.write("/\(atlas.record.name)/series", series, shape: [frames, labels.count])
        }
    }

    /// A regional value table (``RegionTable``): one value per region of the named atlas.
    func computeRegionTable(_ scan: inout PreparedScan) throws {
        let item = scan.item
        let atlas = try namedAtlas(item)
        guard let quantity = item.kind.tableQuantity else { return }
        let values = try RegionTable.read(item.url, quantity: quantity, atlas: atlas)
        // Gray matter keeps the image path's unit (mm3); PET keeps its sidecar's Units like a PET map.
        let unit = quantity == .grayMatterVolume ? "mm3" : (scan.sidecar["Units"] as? String) ?? "SUVR"
        var measure = PreparedMeasure(atlas: atlas, gridID: nil, kind: quantity.measureKind, unit: unit)
        // A table row stands for its region as a whole: one "voxel" (the column's CHECK needs > 0).
        measure.values = zip(atlas.regions, values).map { RegionValue(regionID: $0.id, value: $1, voxelCount: 1) }
        scan.header = ["rows": values.count, "columns": 1]
        scan.measures.append(measure)
    }

    func namedAtlas(_ item: Item) throws -> AtlasSet.Entry {
        guard let atlasName = item.name["atlas"] else {
            throw IngestError.file(item.url.path, "a region-level file needs the atlas- entity naming its atlas")
        }
        guard let atlas = atlases.entry(named: atlasName) else {
            throw IngestError.file(item.url.path, "atlas-\(atlasName) is not an atlas being ingested onto (have: \(atlases.atlases.map(\.record.name).joined(separator: ", ")))")
        }
        return atlas
    }
}
