import Ingest

/// Text rendering of `dtb subject show`.
enum SubjectText {
    /// The subject, then per session its scans and measures.
    static func detail(_ detail: SubjectDetail) -> [String] {
        var lines = ["sub-\(detail.label) (dataset \(detail.dataset))"]
        if !detail.participant.isEmpty {
            lines.append("  " + detail.participant.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        for session in detail.sessions {
            lines.append(session.isEmpty ? "scans:" : "ses-\(session) scans:")
            for scan in detail.scans where scan.session == session {
                lines.append("  \(scan.modality.padding(toLength: 5, withPad: " ", startingAt: 0)) v\(scan.version) \(scan.path)  \(scan.sha256.prefix(12))…  \(scan.sizeBytes) B\(scan.pipeline.map { "  [\($0)]" } ?? "")")
            }
            let measures = detail.measures.filter { $0.session == session }
            if !measures.isEmpty { lines.append(session.isEmpty ? "measures:" : "ses-\(session) measures:") }
            lines += measures.map(measure)
        }
        return lines
    }

    static func measure(_ m: MeasureInfo) -> String {
        var line = "  measure \(m.id): \(m.atlas) \(m.kind.rawValue) (\(m.unit)) \(m.rows)/\(m.regions) regions"
        if let frames = m.frames { line += ", \(frames) frames" }
        if let tr = m.repetitionTime { line += ", TR \(tr) s" }
        if m.maskedVoxels > 0 { line += ", \(m.maskedVoxels) voxels masked" }
        if m.resampled { line += ", resampled" }
        return line + " ← \(m.scanPath) v\(m.scanVersion) [\(m.pipeline)]"
    }
}
