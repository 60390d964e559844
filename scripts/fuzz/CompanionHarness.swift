// libFuzzer entry point for the companion parsers of an ingest (built by scripts/fuzz.sh together
// with Sources/Ingest/BIDS.swift and Companions.swift, never by the package build): the same
// bytes as a sidecar (JSON), a table (TSV: events), `.bval`/`.bvec` numbers and a BIDS name.
// Errors are the expected outcome; a trap or a sanitizer report is a finding.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompanions(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    if let sidecar = try? Sidecars.parseJSONObject(bytes, path: "fuzz.json") {
        _ = try? Companions.repetitionTime(sidecar, path: "fuzz.json")
        _ = Companions.statedFrameCount(sidecar)
        _ = try? Companions.text(sidecar, "Units", path: "fuzz.json")
        _ = jsonText(sidecar)
    }
    guard let text = String(data: bytes, encoding: .utf8) else { return 0 }
    if let (header, rows) = try? parseTSV(text, path: "fuzz.tsv") {
        _ = try? Companions.events(header: header, rows: rows, path: "fuzz.tsv")
    }
    if let rows = try? Companions.numberRows(text, path: "fuzz.bval") {
        _ = try? Companions.checkBValues(rows.flatMap { $0 }, volumes: rows.first?.count ?? 0, path: "fuzz.bval")
    }
    _ = BIDSName(text)
    return 0
}
