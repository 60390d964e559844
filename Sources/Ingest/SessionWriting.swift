import AtlasCatalog
import Foundation
import HDF5Kit
import Imaging
import NIfTI
import Postgres
import Store

/// Storing a prepared session, inside its transaction.
extension SessionIngest {
    // MARK: Writing, inside the transaction

    func write(_ prepared: [PreparedScan], modalities: [String], on connection: PostgresConnection) throws {
        try connection.advisoryTransactionLock(named: subject)
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
        try connection.notify(SubjectDataNotification(subject: subject, session: session, modalities: modalities))
        CrashPoint.stallBeforeCommit()
    }

    /// The subject's id. A subject is one person keyed by label, whatever route their data came
    /// by: `--derivative` files attach to the stored subject as it is; a BIDS ingest of a subject
    /// that so far came only by `--derivative` files adopts it, recording the dataset's name and
    /// participants.tsv row. Refused: the same label from another BIDS dataset, or with different
    /// participant data. With `insert` false, only checks (returns -1 for a new subject).
    func subjectRow(on connection: PostgresConnection, insert: Bool = true) throws -> Int {
        let participant = dataset.participants[subject] ?? [:]
        let participantJSON = PostgresJSON(text: jsonText(participant))
        guard let row = try connection.query("""
            SELECT id, dataset, participant = $2 AS same FROM subject WHERE label = $1
            """, [subject, participantJSON]).first else {
            guard insert else { return -1 }
            return try connection.query("INSERT INTO subject (label, dataset, participant) VALUES ($1, $2, $3) RETURNING id",
                                        [subject, dataset.name, participantJSON]).scalar().int!
        }
        let id = row["id"].int!
        if dataset.directPipeline != nil { return id }
        if row["dataset"].string == BIDSDataset.directDatasetName {
            if insert {
                try connection.query("UPDATE subject SET dataset = $2, participant = $3 WHERE id = $1",
                                     [id, dataset.name, participantJSON])
            }
            return id
        }
        let where_ = dataset.participants.isEmpty ? dataset.root.appendingPathComponent("sub-\(subject)").path
            : dataset.root.appendingPathComponent("participants.tsv").path
        guard row["dataset"].string == dataset.name else {
            throw IngestError.file(where_, "duplicate subject label sub-\(subject): already stored from dataset '\(row["dataset"].string!)', this is '\(dataset.name)'")
        }
        guard row["same"].bool == true else {
            throw IngestError.file(where_, "duplicate subject label sub-\(subject) with different participant data than the stored subject")
        }
        return id
    }
}
