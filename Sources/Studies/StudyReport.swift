import Interventions

/// The effect of one treated arm on one outcome of one unit (or of the whole twin: unit `all`).
public struct StudyEffect: Sendable, Codable, Equatable {
    public var arm: Int
    /// Per unit: rate_hz, psd_<f>hz (log10 power of the unit's activity at a stimulation
    /// frequency), bold_r (r with the fitted run, when the arms replay it); whole twin: mean_rate_hz,
    /// fc_similarity, mean_bold_r.
    public var outcome: String
    public var unit: String
    public var controlMean: Double
    public var treatedMean: Double
    public var difference: Double
    /// 95 % confidence interval of the difference.
    public var lower: Double?
    public var upper: Double?
    /// d_z (paired standardised effect).
    public var effectSize: Double?
    public var p: Double?
    /// Benjamini–Hochberg q over the units of the outcome.
    public var q: Double?
}

/// A line of `dtb study list`.
public struct StudyListing: Sendable, Codable, Equatable {
    public var study: String
    public var twin: String
    public var status: String
    public var seeds: Int
    public var arms: Int
    public var runs: Int
    public var createdAt: String
}

/// A swept parameter's linear trend of FC similarity over the treated arms' runs: slope with its
/// standard error and the t-test's p (n − 2 degrees of freedom).
public struct SweepTrend: Sendable, Codable, Equatable {
    public var key: String
    public var slope: Double
    public var standardError: Double
    public var p: Double
    public var runs: Int
}

/// `dtb study show`: the study, its arms with their runs, and the effects, largest first.
public struct StudyReport: Sendable, Codable {
    /// An arm with what its runs gave.
    public struct Arm: Sendable, Codable {
        public var arm: Int
        public var label: String
        public var sweepValue: Double?
        public var interventions: [Intervention]
        public var runs: Int
        public var meanRateHz: Double?
        public var fcSimilarity: Double?
        /// 95 % t interval of the FC similarity over seeds.
        public var fcSimilarityLower: Double?
        public var fcSimilarityUpper: Double?
    }

    public var study: String
    public var twin: String
    public var status: String
    public var createdAt: String
    public var settings: StudySettings
    public var arms: [Arm]
    public var runs: [StudyRunRecord]
    /// Sorted by |d_z| (then |difference|), largest first.
    public var effects: [StudyEffect]
    public var trend: SweepTrend?
}
