import ArgumentParser
import Foundation
import Ingest
import Services

/// `dtb subject export SUBJECT (--measure ID | --kind KIND) [--atlas A] [--format tsv|json] [--output FILE]`
///
/// Gives one stored measure back as data. `--kind` takes the subject's most recently ingested
/// measure of that kind (the one `dtb twin build` reads; `--atlas` when there are several atlases).
/// TSV is the region-level file `dtb ingest --derivative` reads: `index`, `name`, `gm_volume` or
/// `suvr` per region; a connectome as a header of region names and a row per source region; a time
/// series as a header of region names and a row per frame. With `--output FILE` a TSV gets its
/// sidecar `<stem>.json` (`Units`, `RepetitionTime`) beside it; name FILE like
/// ``MeasureExport/fileName(subject:session:)`` (the text output says the name) to ingest it again.
///
/// JSON: `{"subject", "session", "measure_id", "kind", "atlas", "unit", "pipeline", "scan_path",
/// "scan_version", "regions": [{"label", "name"}], "values"?: [Double|null], "matrix"?: [[Double]]
/// (row = source region), "series"?: [[Float]] (row = frame), "repetition_time"?}` — regions,
/// values, matrix rows and columns and series columns in the atlas's label order.
struct SubjectExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Give a stored measure back as TSV (re-ingestable) or JSON.")
    @Argument(help: "Subject label (with or without sub-).") var label: String
    @Option(help: "The measure's id (see `dtb subject show`).") var measure: Int?
    @Option(help: "The latest measure of this kind: gm_volume, synaptic_density, bold_timeseries, tract_density, tract_length.")
    var kind: String?
    @Option(help: "Only measures on this atlas.") var atlas: String?
    @Option(help: "tsv (what `dtb ingest --derivative` reads) or json.") var format: String = "tsv"
    @Option(help: "Write to this file (a TSV's JSON sidecar beside it) instead of standard output.") var output: String?

    func run() throws {
        try Console.run {
            let request = try SubjectExportRequest(subject: label, measure: measure, kind: kind, atlas: atlas, format: format)
            let service = SubjectService(database: try Console.openDatabase())
            let export = try service.export(request)
            guard let output else { return Console.print(String(try service.text(of: export, format: request.format).dropLast())) }
            try service.write(export, format: request.format, to: URL(fileURLWithPath: output))
            Console.progress("measure \(export.measureId) (\(export.atlas) \(export.kind.rawValue)) written to \(output); `dtb ingest --derivative` reads it named like \(export.fileName(subject: export.subject, session: export.session))")
        }
    }
}
