import Foundation
import Hemodynamics
import SpikingEngine

/// The checks a simulation request passes before the engine sees it: the engine and the BOLD
/// sampler state their needs as preconditions (a trap, not an error), so every value that comes
/// from a user is held against them here first, with a one-line error naming the option.
public enum RunLimits {
    /// Threads a run may use; the result does not depend on the count.
    public static let threads = 1 ... max(1024, defaultThreadCount)
    /// Engine steps one run may take: the engine counts steps in 32 bits (2³¹ − 1 steps are
    /// 24.9 days of biological time at dt 1 ms).
    public static let maxSteps = Double(Int32.max)

    /// `--seconds`: a positive, finite duration.
    public static func checkSeconds(_ seconds: Double) throws {
        guard seconds.isFinite, seconds > 0 else {
            throw TwinError.invalid("--seconds \(seconds): the simulated time must be a positive number of seconds")
        }
    }

    /// `--threads`: within ``threads``.
    public static func checkThreads(_ threads: Int) throws {
        guard Self.threads.contains(threads) else {
            throw TwinError.invalid("--threads \(threads): give \(Self.threads.lowerBound) to \(Self.threads.upperBound) threads")
        }
    }

    /// `--tr` (or a TR from elsewhere, named by `source`): a positive, finite number of seconds.
    public static func checkRepetitionTime(_ tr: Double, source: String = "--tr") throws {
        guard tr.isFinite, tr > 0 else {
            throw TwinError.invalid("\(source) \(tr): the repetition time must be a positive number of seconds")
        }
    }

    /// The run's timing against a network's step `dt` (ms): the steps countable, at least one TR
    /// simulated, and the TR a positive whole number of steps (the BOLD sampler's own rule).
    /// - Parameter source: how the TR was given, for the message: `--tr`, or where it came from
    ///   (`the subject's BOLD TR`, which the message then says to override with `--tr`).
    public static func checkTiming(seconds: Double, repetitionTime tr: Double, source: String, dt: Double,
                                   bold: BalloonWindkesselParameters) throws {
        try checkSeconds(seconds)
        try checkRepetitionTime(tr, source: source)
        let steps = seconds * 1000 / dt
        guard steps <= maxSteps else {
            throw TwinError.invalid("--seconds \(seconds): \(format(steps)) steps of \(format(dt)) ms; a run takes at most \(Int32.max) steps (\(format(maxSteps * dt / 1000)) s)")
        }
        guard seconds >= tr else {
            throw TwinError.invalid("--seconds \(seconds) is shorter than one TR (\(tr) s): no BOLD sample would be taken")
        }
        // The sampler's own rule; seconds ≥ TR and the step bound keep its step ratio countable.
        do {
            _ = try BOLDSampler(model: BalloonWindkessel(units: 1, parameters: bold), inputStep: dt / 1000, repetitionTime: tr)
        } catch {
            let hint = source.hasPrefix("--") ? "" : "; give --tr"
            throw TwinError.invalid("\(source) \(tr): the repetition time must be a whole number of the twin's \(format(dt)) ms steps\(hint)")
        }
    }

    /// The BOLD series of a run of `seconds` at `tr` (samples × `units` doubles) must fit in half
    /// the machine's memory.
    public static func checkBOLDSize(seconds: Double, repetitionTime tr: Double, units: Int) throws {
        let samples = (seconds / tr).rounded(.down)
        let bytes = samples * Double(units) * 8
        let budget = Double(ProcessInfo.processInfo.physicalMemory) / 2
        guard bytes <= budget else {
            throw TwinError.invalid("--seconds \(seconds) with a TR of \(tr) s: \(format(samples)) BOLD samples of \(units) units need \(format(bytes / 1e9)) GB, more than half of this machine's \(format(budget * 2 / 1e9)) GB")
        }
    }

    /// `--checkpoint-every`: 0 (never) or a finite positive number of seconds.
    public static func checkCheckpointSpacing(_ seconds: Double) throws {
        guard seconds.isFinite, seconds >= 0 else {
            throw TwinError.invalid("--checkpoint-every \(seconds): give 0 (no checkpoints) or a positive number of biological seconds")
        }
    }

    /// Up to four significant digits, without a trailing `.0`.
    static func format(_ value: Double) -> String { String(format: "%.4g", value) }

    /// `--activity-bin`: a whole number of the twin's steps, and the counts (bins × units × 4 bytes)
    /// within half the machine's memory. Returns the bin in steps.
    public static func activityBinSteps(_ bin: Double, seconds: Double, dt: Double, units: Int) throws -> Int {
        let steps = (bin / dt).rounded()
        guard bin.isFinite, steps >= 1, abs(steps * dt - bin) < 1e-9 * max(1, bin) else {
            throw TwinError.invalid("--activity-bin \(bin): give a whole number of the twin's \(format(dt)) ms steps")
        }
        let bytes = (seconds * 1000 / bin).rounded(.up) * Double(units) * 4
        guard bytes <= Double(ProcessInfo.processInfo.physicalMemory) / 2 else {
            throw TwinError.invalid("--activity-bin \(bin): \(format(bytes / 1e9)) GB of counts for \(format(seconds)) s; use a wider bin")
        }
        return Int(steps)
    }
}
