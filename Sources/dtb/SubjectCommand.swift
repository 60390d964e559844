import ArgumentParser
import Foundation
import Ingest

/// `dtb subject …`: subjects ingested with `dtb ingest`.
struct Subject: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show ingested subjects: scans, versions and derived measures.",
        subcommands: [SubjectShow.self, SubjectList.self])
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
            let subjects = try SubjectCatalog(database: try Console.openDatabase()).subjects()
            if output.json { return try Console.printJSON(subjects) }
            if subjects.isEmpty { print("no subjects; run `dtb ingest BIDS_ROOT`"); return }
            for s in subjects {
                let sessions = s.sessions.filter { !$0.isEmpty }
                print("sub-\(s.label)  \(s.dataset)  sessions: \(sessions.isEmpty ? "-" : sessions.joined(separator: ","))  files: \(s.scans)  measures: \(s.measures)")
            }
        }
    }
}

/// `dtb subject show LABEL [--json]`
///
/// JSON: `{"label", "dataset", "participant": {column: value}, "sessions": [String],
/// "scans": [{"id", "session", "modality", "suffix", "path", "version", "sha256", "sizeBytes",
/// "pipeline": String?, "ingestedAt"}], "measures": [{"id", "session", "scanPath", "scanVersion",
/// "atlas", "kind": "gm_volume"|"synaptic_density"|"bold_timeseries"|"tract_density"|"tract_length",
/// "unit", "pipeline", "regions", "rows", "frames"?, "repetitionTime"?, "maskedVoxels", "resampled",
/// "file"?, "values"?: [{"label", "region", "value", "voxels"}]}]}` — `values` (regional values in
/// label order; for time series the temporal mean) is present for every non-connectome measure.
struct SubjectShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one subject's scans, versions and measures.")
    @Argument(help: "Subject label (with or without sub-).") var label: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let detail = try SubjectCatalog(database: try Console.openDatabase()).subject(label, values: output.json)
            if output.json { return try Console.printJSON(detail) }
            print("sub-\(detail.label) (dataset \(detail.dataset))")
            if !detail.participant.isEmpty {
                print("  " + detail.participant.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
            for session in detail.sessions {
                print(session.isEmpty ? "scans:" : "ses-\(session) scans:")
                for scan in detail.scans where scan.session == session {
                    print("  \(scan.modality.padding(toLength: 5, withPad: " ", startingAt: 0)) v\(scan.version) \(scan.path)  \(scan.sha256.prefix(12))…  \(scan.sizeBytes) B\(scan.pipeline.map { "  [\($0)]" } ?? "")")
                }
                let measures = detail.measures.filter { $0.session == session }
                if !measures.isEmpty { print(session.isEmpty ? "measures:" : "ses-\(session) measures:") }
                for m in measures {
                    var line = "  \(m.atlas) \(m.kind) (\(m.unit)) \(m.rows)/\(m.regions) regions"
                    if let frames = m.frames { line += ", \(frames) frames" }
                    if let tr = m.repetitionTime { line += ", TR \(tr) s" }
                    if m.maskedVoxels > 0 { line += ", \(m.maskedVoxels) voxels masked" }
                    if m.resampled { line += ", resampled" }
                    line += " ← \(m.scanPath) v\(m.scanVersion) [\(m.pipeline)]"
                    print(line)
                }
            }
        }
    }
}
