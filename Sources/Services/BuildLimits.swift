import Foundation

/// The values a twin build accepts (`twin build`, `demo`, `bench build`), checked before any work
/// so that no user value reaches a trap in the builder or the engine; each refusal is a one-line
/// ``ServiceError`` naming the option.
public enum BuildLimits {
    /// Integration step (ms): no neuron model here needs a finer step, and much finer ones outgrow
    /// the engine's step counters (a refractory period counts in 16 bits); a coarser step leaves
    /// the synaptic time constants (2–100 ms) unresolved.
    public static let dt = 0.01 ... 10.0
    /// Conduction speed (m/s): spans myelinated and unmyelinated fibres with room on either side,
    /// and keeps every delay (length / speed / dt) a countable number of steps.
    public static let conductionSpeed = 0.1 ... 1000.0
    /// Build memory per synapse and per neuron (bytes), generous: a build peaks near 13 B/synapse.
    static let bytesPerSynapse = 16.0
    static let bytesPerNeuron = 128.0

    /// `--neurons` and `--degree`: at least one neuron, a finite non-negative degree, and a network
    /// whose build fits in this machine's memory.
    public static func check(neurons: Int, degree: Double) throws {
        guard neurons > 0 else {
            throw ServiceError.invalidOption("--neurons", value: "\(neurons)", problem: "the twin needs at least one neuron")
        }
        guard degree.isFinite, degree >= 0 else {
            throw ServiceError.invalidOption("--degree", value: "\(degree)", problem: "the mean in-degree must be a finite number ≥ 0")
        }
        let synapses = Double(neurons) * degree
        let bytes = synapses * bytesPerSynapse + Double(neurons) * bytesPerNeuron
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= memory else {
            throw ServiceError.invalidOption("--neurons", value: "\(neurons)", problem: String(
                format: "with --degree %g the twin has about %.3g synapses, whose build needs about %.1f GB; this machine has %.1f GB",
                degree, synapses, bytes / 1e9, memory / 1e9))
        }
    }

    /// `--dt` within ``dt``.
    public static func check(dt: Double) throws {
        guard Self.dt.contains(dt) else {
            throw ServiceError.invalidOption("--dt", value: "\(dt)", problem: "the integration step must lie in \(Self.dt.lowerBound)–\(Self.dt.upperBound) ms")
        }
    }

    /// `--conduction-speed` within ``conductionSpeed``.
    public static func check(conductionSpeed speed: Double) throws {
        guard conductionSpeed.contains(speed) else {
            throw ServiceError.invalidOption("--conduction-speed", value: "\(speed)",
                                             problem: "the conduction speed must lie in \(conductionSpeed.lowerBound)–\(conductionSpeed.upperBound) m/s")
        }
    }

    /// `--gm-threshold`: a gray-matter probability in [0, 1).
    public static func check(grayMatterThreshold threshold: Double) throws {
        guard threshold.isFinite, threshold >= 0, threshold < 1 else {
            throw ServiceError.invalidOption("--gm-threshold", value: "\(threshold)", problem: "a gray-matter probability must lie in [0, 1)")
        }
    }

    /// `--sv2a-clip`: `LOW,HIGH` with 0 < LOW ≤ HIGH, both finite, or `none` (nil: no clip).
    public static func clip(_ text: String) throws -> ClosedRange<Double>? {
        if text == "none" { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low.isFinite, high.isFinite, low > 0, low <= high else {
            throw ServiceError.invalidOption("--sv2a-clip", value: "'\(text)'", problem: "give LOW,HIGH with 0 < LOW ≤ HIGH (e.g. 0.7,1.3) or none")
        }
        return low ... high
    }
}
