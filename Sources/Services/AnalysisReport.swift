import Analyses

/// What `dtb analyze` found, in the JSON style (docs/json.md); a section is left out when its
/// analysis was not asked for.
public struct AnalysisReport: Sendable, Codable {
    /// Welch spectra per region (scipy's defaults, segments of at most 256 frames).
    public struct Spectra: Sendable, Codable {
        /// One region's spectrum.
        public struct Region: Sendable, Codable {
            public var region: String
            /// The highest local maximum of the density; nil when the spectrum has none.
            public var peakFrequencyHz: Double?
            /// Units² / Hz, one per frequency.
            public var density: [Double]
        }
        public var segmentLength: Int
        public var overlap: Int
        public var frequenciesHz: [Double]
        public var regions: [Region]
    }

    /// Conditional Granger causality between the regions.
    public struct Granger: Sendable, Codable {
        /// One directed link.
        public struct Link: Sendable, Codable {
            public var source: String
            public var target: String
            /// ln(RSS_restricted / RSS_full).
            public var strength: Double
            public var fStatistic: Double
            public var pValue: Double
        }
        /// The VAR order BIC chose, among 1 … max_order.
        public var order: Int
        public var maxOrder: Int
        /// BIC per order 1 … max_order (null where the fit was singular).
        public var bic: [Double?]
        /// Strongest first.
        public var links: [Link]
    }

    /// Phase synchrony in a band.
    public struct Synchrony: Sendable, Codable {
        public var bandHz: [Double]
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
        /// Window and step in frames (from the seconds asked for and the TR).
        public var windowFrames: Int
        public var stepFrames: Int
        /// The FCD matrix's upper triangle: its mean, standard deviation and count.
        public var fcdMean: Double
        public var fcdSd: Double
        public var fcdValues: Int
        /// FC against the subject's structural connectome (see ``Structure``); left out without one.
        public var structure: Structure?
    }

    /// Pearson r of the off-diagonal FC entries with the tract densities (raw, and the log of the
    /// positive ones with untracked pairs left out), from the subject's latest tract-density measure.
    public struct Structure: Sendable, Codable {
        public var measure: Int
        public var r: Double?
        public var logR: Double?
    }

    /// "twin run 3 (…)" or "measure 5 (…)".
    public var source: String
    public var samplingRateHz: Double
    public var frames: Int
    public var regions: [String]
    public var psd: Spectra?
    public var granger: Granger?
    public var sync: Synchrony?
    public var fcd: Dynamics?
    /// The SVG files written under --plots (absolute paths); left out without --plots.
    public var plots: [String]?
}
