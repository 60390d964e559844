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
    /// `--activity-bin` (ms): record spikes per unit in bins; nil: not recorded.
    public var activityBin: Double?
    /// `--raster N`: keep the spikes of N neurons per population.
    public var rasterPerPopulation = 0
    /// `--population-activity`: spikes per population too, in the activity bins.
    public var populationActivity = false
    /// `--checkpoint-every` (biological seconds; 0: none).
    public var checkpointEvery = 60.0

    public init(twin: String, seconds: Double) { self.twin = twin; self.seconds = seconds }

    /// The run request, or a one-line error for the first option out of range.
    public func request() throws -> TwinRunRequest {
        try RunLimits.checkSeconds(seconds)
        try RunLimits.checkThreads(threads)
        try RunLimits.checkCheckpointSpacing(checkpointEvery)
        if let repetitionTime { try RunLimits.checkRepetitionTime(repetitionTime) }
        guard (0...10_000).contains(rasterPerPopulation) else {
            throw TwinError.invalid("--raster \(rasterPerPopulation): give 0 to 10000 neurons per population")
        }
        var request = TwinRunRequest(version: try TwinReference(parsing: twin), seconds: seconds, seed: seed,
                                     repetitionTime: repetitionTime, threads: threads)
        request.activityBin = activityBin
        request.rasterPerPopulation = rasterPerPopulation
        request.populationActivity = populationActivity
        request.checkpointEvery = checkpointEvery
        return request
    }
}
