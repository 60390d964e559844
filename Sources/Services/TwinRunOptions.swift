import SpikingEngine
import Twins

/// `dtb twin run`'s options as given; ``request()`` checks what it can without the version (the
/// run checks the rest against the version's step before the engine starts).
public struct TwinRunOptions: Sendable {
    /// `TWIN` or `TWIN@VERSION`.
    public var twin: String
    /// Biological seconds.
    public var seconds: Double
    /// Seed of the dynamics; nil: the version's seed.
    public var seed: UInt64?
    /// BOLD sampling interval (s); nil: the subject's BOLD TR, else 2 s.
    public var repetitionTime: Double?
    public var threads = defaultThreadCount

    public init(twin: String, seconds: Double) { self.twin = twin; self.seconds = seconds }

    /// The run request, or a one-line error for the first option out of range.
    public func request() throws -> TwinRunRequest {
        try RunLimits.checkSeconds(seconds)
        try RunLimits.checkThreads(threads)
        if let repetitionTime { try RunLimits.checkRepetitionTime(repetitionTime) }
        return TwinRunRequest(version: try TwinReference(parsing: twin), seconds: seconds, seed: seed,
                              repetitionTime: repetitionTime, threads: threads)
    }
}
