import ArgumentParser
import Foundation
import Ingest
import Services

/// `dtb subject …`: subjects ingested with `dtb ingest`.
struct Subject: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show ingested subjects: scans, versions and derived measures; export a measure.",
        subcommands: [SubjectShow.self, SubjectList.self, SubjectExport.self])
}

/// `dtb subject list [--json]`
///
/// JSON: `[{"label": String, "dataset": String, "sessions": [String], "scans": Int, "measures": Int}]`
/// (`scans` counts distinct files; "" is the session of a dataset without sessions).
struct SubjectList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List subjects.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let subjects = try SubjectService(database: Console.openDatabase()).list()
            if output.json { return try Console.printJSON(subjects) }
            if subjects.isEmpty { Console.print("no subjects; run `dtb ingest BIDS_ROOT`"); return }
            for s in subjects {
                let sessions = s.sessions.filter { !$0.isEmpty }
                Console.print("sub-\(s.label)  \(s.dataset)  sessions: \(sessions.isEmpty ? "-" : sessions.joined(separator: ","))  files: \(s.scans)  measures: \(s.measures)")
            }
        }
    }
}

/// `dtb subject show LABEL [--json]`
///
/// JSON: `{"label", "dataset", "participant": {column: value}, "sessions": [String],
/// "scans": [{"id", "session", "modality", "suffix", "path", "version", "sha256", "size_bytes",
/// "pipeline": String?, "ingested_at"}], "measures": [{"id", "session", "scan_path", "scan_version",
/// "atlas", "kind": "gm_volume"|"synaptic_density"|"bold_timeseries"|"tract_density"|"tract_length",
/// "unit", "pipeline", "regions", "rows", "frames"?, "repetition_time"?, "masked_voxels", "resampled",
/// "file"?, "values"?: [{"label", "region", "value", "voxels"}]}]}` — `values` (regional values in
/// label order; for time series the temporal mean) is present for every non-connectome measure.
/// Participant columns keep their names from participants.tsv.
struct SubjectShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one subject's scans, versions and measures.")
    @Argument(help: "Subject label (with or without sub-).") var label: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let detail = try SubjectService(database: Console.openDatabase()).show(label, values: output.json)
            if output.json { return try Console.printJSON(detail) }
            for line in SubjectText.detail(detail) { Console.print(line) }
        }
    }
}
