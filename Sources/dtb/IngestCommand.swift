import ArgumentParser
import Foundation
import Ingest
import Services

/// `dtb ingest BIDS_ROOT [--subject LABEL]... [--session LABEL]... [--atlas NAME]... [--mask-nonfinite] [--json]`
/// `dtb ingest --derivative FILE... --pipeline NAME [--pipeline-version V] [--atlas NAME]... [--json]`
///
/// Region-level files (`--derivative`, or in `derivatives/<pipeline>/sub-*/…` of a dataset), each
/// naming its atlas with `atlas-<name>`: `*_desc-density|length_connectome.tsv` (dwi),
/// `*_timeseries.tsv` (func), `*_desc-gm_morph.tsv` (anat: `index` or `label` and/or `name`, and
/// `gm_volume` in mm³ per region) and `*_desc-sv2a_pet.tsv` (pet: the same region columns and
/// `suvr`). `--derivative` files attach to a stored subject of the same label however it came;
/// every file is checked before one transaction stores them all.
///
/// Stores every subject-session of a BIDS dataset (raw scans and derivatives of the four
/// modalities), parcellated onto the atlases of the database. One transaction per
/// subject-session: a bad file stops the command with `dtb: <file>: <problem>` and leaves the
/// database as it was. Each session that adds data sends `NOTIFY subject_data` with the payload
/// `{"modalities": ["anat", "dwi", "func", "pet"], "session": "a", "subject": "01"}`.
///
/// With `--json`, prints one document:
/// `{"dataset": String, "atlases": [String], "sessions": [{"subject", "session", "action":
/// "ingested"|"unchanged", "scans_added": [String], "scans_unchanged": Int, "measures_added": Int,
/// "modalities": [String], "skipped": [String]}]}`.
struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest a BIDS dataset: scans, parcellated measures and provenance.",
        discussion: """
            Reads dataset_description.json, participants.tsv, sub-*/[ses-*/]{anat,dwi,pet,func} and \
            derivatives/<pipeline>/sub-*/... (GeneratedBy is recorded as provenance). Derivatives used: \
            *_label-GM_probseg (gray-matter volume), 3-D *_pet (synaptic density, sidecar Units), \
            *_bold (region mean time series) in an atlas's template space, and \
            *_atlas-<name>_desc-density|length_connectome.tsv, func/*_atlas-<name>_timeseries.tsv, \
            anat/*_atlas-<name>_desc-gm_morph.tsv (columns index or name, gm_volume in mm3) and \
            pet/*_atlas-<name>_desc-sv2a_pet.tsv (index or name, suvr). Re-ingesting unchanged files is a no-op; \
            a changed file adds a new version.
            """)

    @Argument(help: "The BIDS dataset folder.") var root: String?
    @Option(name: .customLong("derivative"), help: ArgumentHelp(
        "A region-level derivative to ingest directly (sub-*_atlas-*_ then desc-density|length_connectome.tsv, timeseries.tsv, desc-gm_morph.tsv or desc-sv2a_pet.tsv); repeatable.",
        valueName: "file")) var derivatives: [String] = []
    @Option(help: "With --derivative: the pipeline that made the files (provenance).") var pipeline: String?
    @Option(help: "With --derivative: the pipeline's version.") var pipelineVersion: String = ""
    @Option(name: .customLong("subject"), help: "Only this subject (label without sub-); repeatable.") var subjects: [String] = []
    @Option(name: .customLong("session"), help: "Only this session (label without ses-); repeatable.") var sessions: [String] = []
    @Option(name: .customLong("atlas"), help: "Parcellate onto this atlas (default: every imported atlas); repeatable.") var atlases: [String] = []
    @Flag(help: "Leave NaN/Inf voxels out of regional values and record their count, instead of rejecting the image.")
    var maskNonfinite = false
    @Option(help: "Also store BOLD voxel time series (frames × labelled voxels, HDF5) on this atlas's voxels.")
    var voxelSeries: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try Console.run {
            let request = try IngestRequest(root: root, derivatives: derivatives, pipeline: pipeline, pipelineVersion: pipelineVersion,
                                            subjects: subjects, sessions: sessions, atlases: atlases,
                                            maskNonFinite: maskNonfinite, voxelSeriesAtlas: voxelSeries)
            let report = try IngestService(database: Console.openDatabase()).ingest(request, progress: Console.progressHandler)
            if json { return try Console.printJSON(report) }
            Console.print("dataset \(report.dataset) onto \(report.atlases.joined(separator: ", "))")
            for s in report.sessions {
                let name = "sub-\(s.subject)" + (s.session.isEmpty ? "" : " ses-\(s.session)")
                Console.print("\(name): \(s.action.rawValue) — \(s.scansAdded.count) scan versions added, \(s.scansUnchanged) unchanged, \(s.measuresAdded) measures; modalities \(s.modalities.joined(separator: ","))")
                for line in s.skipped { Console.print("  skipped \(line)") }
            }
        }
    }
}
