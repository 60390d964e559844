import Assimilation
import Foundation

/// The checks an assimilation request passes before anything is read or written, each a
/// one-line ``TwinError`` naming the option.
enum AssimilationChecks {
    static func check(_ r: TwinAssimilationRequest) throws {
        guard (2...TwinAssimilationRequest.maxMembers).contains(r.members) else {
            throw TwinError.invalid("--members \(r.members): an ensemble needs 2 to \(TwinAssimilationRequest.maxMembers) members")
        }
        guard !r.fit.isEmpty, Set(r.fit).count == r.fit.count else {
            throw TwinError.invalid("--fit: name each hyperparameter once (\(HyperparameterKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        for (kind, b) in r.bounds {
            guard b.lowerBound.isFinite, b.upperBound.isFinite, b.lowerBound < b.upperBound else {
                throw TwinError.invalid("--bounds \(kind.rawValue)=\(b.lowerBound):\(b.upperBound): the lower bound must be finite and below the upper")
            }
            guard kind == .externalCurrent || b.lowerBound >= 0 else {
                throw TwinError.invalid("--bounds \(kind.rawValue): a conductance factor cannot be negative")
            }
        }
        try positive(r.observationVariance, "--observation-variance")
        guard r.processVariance.isFinite, r.processVariance >= 0 else { throw TwinError.invalid("--process-variance \(r.processVariance) must be 0 or more") }
        guard r.localWeight.isFinite, (0...1).contains(r.localWeight) else { throw TwinError.invalid("--local-weight \(r.localWeight) must be within 0–1") }
        guard r.inflation.isFinite, r.inflation >= 1, r.inflation <= 10 else { throw TwinError.invalid("--inflation \(r.inflation) must be within 1–10") }
        guard r.warmupSeconds.isFinite, r.warmupSeconds >= 0, r.warmupSeconds <= 3600 else {
            throw TwinError.invalid("--warmup \(r.warmupSeconds) s must be within 0–3600 s")
        }
        guard r.droppedFrames >= 0 else { throw TwinError.invalid("--drop-frames \(r.droppedFrames) must be 0 or more") }
        guard r.checkpointEvery >= 1 else { throw TwinError.invalid("--checkpoint-every \(r.checkpointEvery) must be 1 or more frames") }
        try RunLimits.checkThreads(r.threads)
    }

    static func positive(_ value: Double, _ option: String) throws {
        guard value.isFinite, value > 0 else { throw TwinError.invalid("\(option) \(value) must be a positive number") }
    }

    /// The run against the request: long enough, its TR a whole number of the twin's steps.
    static func check(run: BOLDRun, request r: TwinAssimilationRequest, dt: Double) throws {
        let kept = run.series.count - r.droppedFrames
        guard kept >= 3 else {
            throw TwinError.invalid("measure \(run.measure) has \(run.series.count) frames; dropping \(r.droppedFrames) leaves \(max(0, kept)), and a fit needs at least 3")
        }
        let seconds = Double(run.series.count) * run.repetitionTime
        guard seconds >= r.warmupSeconds else {
            throw TwinError.invalid("measure \(run.measure) lasts \(seconds) s, shorter than the \(r.warmupSeconds) s warm-up (--warmup)")
        }
        let steps = run.repetitionTime * 1000 / dt
        guard steps >= 1, abs(steps - steps.rounded()) < 1e-9 * steps else {
            throw TwinError.invalid("measure \(run.measure): its TR \(run.repetitionTime) s is not a whole number of the twin's \(dt) ms steps")
        }
    }

    /// Indices of the named units (all when nil), ascending.
    static func units(_ names: [String]?, of all: [String], twin: String) throws -> [Int] {
        guard let names else { return Array(all.indices) }
        let index = Dictionary(all.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let found = try names.map { name in
            guard let i = index[name] else {
                throw TwinError.invalid("--units: '\(name)' is not a unit of \(twin) (units are its atlas's region names, e.g. \(all.prefix(3).joined(separator: ", ")))")
            }
            return i
        }
        guard Set(found).count == found.count, !found.isEmpty else { throw TwinError.invalid("--units: name each unit once") }
        return found.sorted()
    }
}
