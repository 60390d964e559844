import Foundation

/// One row of a BOLD run's `_events.tsv`: seconds from the first volume, and the other columns.
typealias TaskEvent = (onset: Double, duration: Double, trialType: String?, extra: [String: String])

/// The values a scan's companions hold — sidecar fields, `.bval`/`.bvec` numbers, events — read
/// from their text and checked for type, finiteness and range, each error naming the file and the
/// field. Pure (text in, values out): the fuzzing harness (`scripts/fuzz.sh`) compiles this file
/// with `BIDS.swift` alone.
enum Companions {
    /// A JSON number as a finite `Double`; nil for a boolean (JSONSerialization hands `true` over
    /// as an `NSNumber` of 1), a string, a list or anything else.
    static func number(_ value: Any) -> Double? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        let double = number.doubleValue
        return double.isFinite ? double : nil
    }

    /// The repetition times (s) a BOLD run may have: from fast multiband EPI to one volume an
    /// hour. Stored TRs divide windows and lags later, so a TR of 1e-300 s must not get in.
    static let plausibleRepetitionTime = 0.001 ... 3600.0

    /// The BOLD timing a sidecar states, checked: `RepetitionTime` a positive number of seconds,
    /// `VolumeTiming` a list of finite, strictly increasing seconds, `NumberOfVolumes` a positive
    /// whole number. Returns the repetition time (from `VolumeTiming`'s mean spacing when only
    /// that is given; nil when neither says).
    static func repetitionTime(_ sidecar: [String: Any], path: String) throws -> Double? {
        if let raw = sidecar["NumberOfVolumes"] {
            guard let count = number(raw), count >= 1, count == count.rounded(), count < 1e9 else {
                throw IngestError.file(path, "sidecar field NumberOfVolumes must be a positive whole number, not \(shown(raw))")
            }
        }
        let timing = try volumeTiming(sidecar, path: path)
        if let raw = sidecar["RepetitionTime"] {
            guard let tr = number(raw), tr > 0 else {
                throw IngestError.file(path, "sidecar field RepetitionTime must be a positive number of seconds, not \(shown(raw))")
            }
            return try plausible(tr, from: "RepetitionTime", path: path)
        }
        guard let timing, timing.count > 1 else { return nil }
        return try plausible((timing[timing.count - 1] - timing[0]) / Double(timing.count - 1), from: "VolumeTiming", path: path)
    }

    private static func plausible(_ tr: Double, from field: String, path: String) throws -> Double {
        guard plausibleRepetitionTime.contains(tr) else {
            let range = "\(plausibleRepetitionTime.lowerBound)–\(plausibleRepetitionTime.upperBound) s"
            throw IngestError.file(path, "sidecar field \(field) gives a repetition time of \(tr) s, outside \(range)")
        }
        return tr
    }

    /// The frame count a time series' sidecar states: `VolumeTiming`'s length, or `NumberOfVolumes`
    /// (both checked by ``repetitionTime(_:path:)``).
    static func statedFrameCount(_ sidecar: [String: Any]) -> Int? {
        if let timing = sidecar["VolumeTiming"] as? [Any] { return timing.count }
        return sidecar["NumberOfVolumes"].flatMap(number).flatMap { Int(exactly: $0) }
    }

    private static func volumeTiming(_ sidecar: [String: Any], path: String) throws -> [Double]? {
        guard let raw = sidecar["VolumeTiming"] else { return nil }
        guard let list = raw as? [Any], !list.isEmpty else {
            throw IngestError.file(path, "sidecar field VolumeTiming must be a non-empty list of seconds, not \(shown(raw))")
        }
        var times: [Double] = []
        for (index, entry) in list.enumerated() {
            guard let time = number(entry) else {
                throw IngestError.file(path, "sidecar field VolumeTiming entry \(index + 1) is \(shown(entry)), not a finite number of seconds")
            }
            if let previous = times.last, time <= previous {
                throw IngestError.file(path, "sidecar field VolumeTiming must increase: entry \(index + 1) (\(time) s) is not after entry \(index) (\(previous) s)")
            }
            times.append(time)
        }
        return times
    }

    /// A sidecar field that must be text (`Units`, ...); nil when absent.
    static func text(_ sidecar: [String: Any], _ field: String, path: String) throws -> String? {
        guard let raw = sidecar[field] else { return nil }
        guard let text = raw as? String, !text.isEmpty else {
            throw IngestError.file(path, "sidecar field \(field) must be a non-empty string, not \(shown(raw))")
        }
        return text
    }

    /// Refuses a sidecar holding text PostgreSQL cannot store in `jsonb` (a NUL character), so
    /// the file is named instead of the server's SQLSTATE.
    static func checkStorable(_ object: Any, path: String) throws {
        switch object {
        case let text as String where text.contains("\u{0}"):
            throw IngestError.file(path, "a string holds a NUL character (\\u0000), which cannot be stored")
        case let dictionary as [String: Any]:
            for (key, value) in dictionary {
                try checkStorable(key, path: path)
                try checkStorable(value, path: path)
            }
        case let list as [Any]:
            for value in list { try checkStorable(value, path: path) }
        default:
            break
        }
    }

    /// The numbers of a `.bval` or `.bvec` file: rows of blank- or tab-separated finite numbers.
    static func numberRows(_ text: String, path: String) throws -> [[Double]] {
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return try lines.enumerated().map { index, line in
            try line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { token in
                guard let value = Double(token), value.isFinite else {
                    throw IngestError.file(path, "line \(index + 1): '\(token)' is not a finite number")
                }
                return value
            }
        }
    }

    /// Checks the b-values of a DWI scan: one per volume, none negative.
    static func checkBValues(_ bvals: [Double], volumes: Int, path: String) throws {
        guard bvals.count == volumes else {
            throw IngestError.file(path, "has \(bvals.count) b-values but the DWI image has \(volumes) volumes")
        }
        if let index = bvals.firstIndex(where: { $0 < 0 }) {
            throw IngestError.file(path, "b-value \(index + 1) is \(bvals[index]); b-values are s/mm² ≥ 0")
        }
    }

    /// The rows of an events table: `onset` a finite number of seconds, `duration` a finite
    /// number ≥ 0 or `n/a` (BIDS's "not applicable", stored as 0).
    static func events(header: [String], rows: [[String]], path: String) throws -> [TaskEvent] {
        guard let onsetColumn = header.firstIndex(of: "onset"), let durationColumn = header.firstIndex(of: "duration") else {
            throw IngestError.file(path, "an events file needs onset and duration columns")
        }
        let typeColumn = header.firstIndex(of: "trial_type")
        return try rows.enumerated().map { index, row in
            guard let onset = Double(row[onsetColumn]), onset.isFinite else {
                throw IngestError.file(path, "line \(index + 2): onset '\(row[onsetColumn])' is not a finite number of seconds")
            }
            let cell = row[durationColumn]
            let duration = cell == "n/a" ? 0 : Double(cell)
            guard let duration, duration.isFinite, duration >= 0 else {
                throw IngestError.file(path, "line \(index + 2): duration '\(cell)' is not a number of seconds ≥ 0 (or n/a)")
            }
            var extra: [String: String] = [:]
            for (c, column) in header.enumerated() where ![onsetColumn, durationColumn, typeColumn].contains(c) { extra[column] = row[c] }
            return (onset, duration, typeColumn.map { row[$0] }, extra)
        }
    }

    /// A JSON value as the user wrote it, for messages (`true`, `"2"`, `[1, 2]`).
    static func shown(_ value: Any) -> String {
        if let number = value as? NSNumber, String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
        if let text = value as? String { return "\"\(text.prefix(40))\"" }
        if JSONSerialization.isValidJSONObject(value), let data = try? JSONSerialization.data(withJSONObject: value) {
            return String(decoding: data.prefix(60), as: UTF8.self)
        }
        return "\(value)"
    }
}
