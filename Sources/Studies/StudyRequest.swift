import SpikingEngine
import Twins

/// What `dtb study create` asks for.
public struct StudyRequest: Sendable {
    public var name: String
    public var version: TwinReference
    public var interventions: [InterventionSpec]
    public var sweep: Sweep?
    /// Seeds per arm (default 5), numbered from `firstSeed`.
    public var seeds: Int
    public var firstSeed: Int
    /// Recorded seconds; nil: 10 s for a built version, the fitted run for an assimilated one.
    public var seconds: Double?
    /// Seconds before the recorded span; nil: 2 s for a built version, the fit's warm-up otherwise.
    public var warmup: Double?
    /// BOLD TR (s); nil: the fit's, or the subject's, or 2 s.
    public var repetitionTime: Double?
    public var binMilliseconds: Double
    /// The measure whose empirical FC each run is compared with; nil: the fit's, or the subject's latest rest run.
    public var measure: Int?
    public var threads: Int
    /// Keep spikes per population as well as per unit in each run's activity bins.
    public var populationActivity = false

    public init(name: String, version: TwinReference, interventions: [InterventionSpec], sweep: Sweep? = nil, seeds: Int = 5,
                firstSeed: Int = 1, seconds: Double? = nil, warmup: Double? = nil, repetitionTime: Double? = nil,
                binMilliseconds: Double = 1, measure: Int? = nil, threads: Int = defaultThreadCount) {
        self.name = name; self.version = version; self.interventions = interventions; self.sweep = sweep; self.seeds = seeds
        self.firstSeed = firstSeed; self.seconds = seconds; self.warmup = warmup; self.repetitionTime = repetitionTime
        self.binMilliseconds = binMilliseconds; self.measure = measure; self.threads = threads
    }
}
