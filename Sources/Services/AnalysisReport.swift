import Analyses

/// What `dtb analyze` found, in the JSON style (docs/json.md); a section is left out when its
/// analysis was not asked for.
public struct AnalysisReport: Sendable, Codable {
    /// Welch spectra per region (scipy's defaults, segments of at most 256 frames).
    public struct Spectra: Sendable, Codable {
        /// One region's spectrum.
        public struct Region: Sendable, Codable {
            /// The region's name.
            public var region: String
            /// The highest local maximum of the density; nil when the spectrum has none.
            public var peakFrequencyHz: Double?
            /// Units² / Hz, one per frequency.
            public var density: [Double]
        }
        /// Frames per Welch segment.
        public var segmentLength: Int
        /// Frames shared by consecutive segments.
        public var overlap: Int
        /// The bins' frequencies, 0 … Nyquist.
        public var frequenciesHz: [Double]
        /// One spectrum per region, in the series' order.
        public var regions: [Region]
    }

    /// Conditional Granger causality between the regions.
    public struct Granger: Sendable, Codable {
        /// One directed link.
        public struct Link: Sendable, Codable {
            /// The region whose past is tested.
            public var source: String
            /// The region it would predict.
            public var target: String
            /// ln(RSS_restricted / RSS_full).
            public var strength: Double
            /// The F statistic of the source's lag coefficients.
            public var fStatistic: Double
            /// P(F > f_statistic) without influence (not corrected for the number of links).
            public var pValue: Double
        }
        /// The VAR order BIC chose, among 1 … max_order.
        public var order: Int
        /// The largest order considered.
        public var maxOrder: Int
        /// BIC per order 1 … max_order (null where the fit was singular).
        public var bic: [Double?]
        /// Strongest first.
        public var links: [Link]
    }

    /// Phase synchrony in a band.
    public struct Synchrony: Sendable, Codable {
        /// The pass band [low, high].
        public var bandHz: [Double]
        /// The time mean of R(t).
        public var meanOrderParameter: Double
        /// R(t), one per frame.
        public var orderParameter: [Double]
        /// Regions × regions.
        public var phaseLockingValues: [[Double]]
    }

    /// FC of the whole series and the distribution of its sliding-window dynamics.
    public struct Dynamics: Sendable, Codable {
        /// Regions × regions Pearson r.
        public var fc: [[Double]]
        /// The window in frames (from the seconds asked for and the TR).
        public var windowFrames: Int
        /// The step between windows in frames.
        public var stepFrames: Int
        /// The mean of the FCD matrix's upper triangle.
        public var fcdMean: Double
        /// Its standard deviation.
        public var fcdSd: Double
        /// How many window pairs it holds.
        public var fcdValues: Int
        /// FC against the subject's structural connectome (see ``Structure``); left out without one.
        public var structure: Structure?
    }

    /// Pearson r of the off-diagonal FC entries with the tract densities (raw, and the log of the
    /// positive ones with untracked pairs left out), from the subject's latest tract-density measure.
    public struct Structure: Sendable, Codable {
        /// The tract-density measure's id.
        public var measure: Int
        /// r with the raw densities; nil when either side is constant.
        public var r: Double?
        /// r with the log of the positive densities; nil when undefined.
        public var logR: Double?
    }

    /// "twin run 3 (…)" or "measure 5 (…)".
    /// Neuronal avalanches of the run's binned spikes (--avalanches).
    public struct Avalanches: Sendable, Codable {
        /// A power-law fit of one distribution with its comparisons.
        public struct Fit: Sendable, Codable {
            public var exponent: Double
            public var standardError: Double
            public var xMin: Int
            public var tailCount: Int
            public var ksDistance: Double
            /// Against an exponential and a lognormal tail.
            public var comparisons: [Comparison]
        }
        /// A likelihood-ratio comparison: a positive ratio favours the power law; Vuong's two-sided p.
        public struct Comparison: Sendable, Codable {
            public var alternative: String
            public var logLikelihoodRatio: Double
            public var normalizedRatio: Double
            public var pValue: Double
        }
        /// The bin (ms) avalanches are counted in.
        public var binMs: Double
        /// Avalanches found.
        public var count: Int
        public var branchingRatio: Double?
        public var sizes: Fit?
        public var durations: Fit?
        /// ⟨S⟩(T) ~ T^γ: γ predicted from the exponents, (α − 1)/(τ − 1), and fitted with its standard error.
        public var cracklingPredicted: Double?
        public var cracklingFitted: Double?
        public var cracklingStandardError: Double?
    }

    public var source: String
    /// Frames per second (1 / TR).
    public var samplingRateHz: Double
    /// Frames analysed.
    public var frames: Int
    /// The regions analysed, in column order.
    public var regions: [String]
    /// Welch spectra (--psd).
    public var psd: Spectra?
    /// Granger causality (--granger).
    public var granger: Granger?
    /// Phase synchrony (--sync).
    public var sync: Synchrony?
    /// FC, FCD and FC–SC (--fcd).
    public var fcd: Dynamics?
    /// Avalanches (--avalanches).
    public var avalanches: Avalanches?
    /// The SVG files written under --plots (absolute paths); left out without --plots.
    public var plots: [String]?
}
