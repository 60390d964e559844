import Foundation

/// `dtb analyze`'s options as given; ``check()`` refuses, before anything is read, what no data
/// could make valid (no analysis asked for, a band or window out of range).
public struct AnalysisOptions: Sendable {
    /// What is analysed: a stored twin run (its BOLD) or one of a subject's BOLD measures.
    public enum Source: Sendable, Equatable {
        /// `twin_run.id`, as `dtb twin show` lists runs.
        case run(Int)
        /// `measure.id`, as `dtb subject show` lists measures.
        case measure(Int)
        /// One run of a study: its arm and seed (`dtb study show` lists them).
        case studyRun(study: String, arm: Int, seed: Int)
    }

    /// The series to analyse.
    public var source: Source
    /// Welch PSD per region with its peak.
    public var psd = false
    /// Conditional Granger causality between the regions.
    public var granger = false
    /// Kuramoto order parameter and PLV of band-passed phases.
    public var sync = false
    /// FC and FCD (sliding-window FC).
    public var fcd = false
    /// Neuronal avalanches of the binned spikes (runs recorded with activity, study runs).
    public var avalanches = false
    /// Region names to keep, in this order; nil keeps every region.
    public var regions: [String]?
    /// The largest VAR order the BIC may choose.
    public var maxOrder = 4
    /// The synchrony pass band (Hz); the default is the slow BOLD band.
    public var band: ClosedRange<Double> = 0.01...0.1
    /// FCD window and step (s).
    public var window = 30.0, step = 5.0
    /// Folder for SVG figures; nil writes none.
    public var plots: URL?

    /// Options for `source` with no analysis chosen yet.
    public init(source: Source) { self.source = source }

    /// Throws a one-line ``ServiceError`` naming the first bad option.
    public func check() throws {
        guard psd || granger || sync || fcd || avalanches else {
            throw ServiceError.invalidRequest("name at least one analysis: --psd, --granger, --sync, --fcd or --avalanches")
        }
        if let regions, regions.isEmpty || regions.contains(where: \.isEmpty) {
            throw ServiceError.invalidOption("--regions", value: regions.joined(separator: ","), problem: "needs region names separated by commas")
        }
        if let regions, Set(regions).count != regions.count {
            throw ServiceError.invalidOption("--regions", value: regions.joined(separator: ","), problem: "names a region twice")
        }
        guard (1...32).contains(maxOrder) else {
            throw ServiceError.invalidOption("--max-order", value: "\(maxOrder)", problem: "must be 1 to 32")
        }
        guard band.lowerBound >= 0, band.upperBound > band.lowerBound, band.upperBound.isFinite else {
            throw ServiceError.invalidOption("--band", value: "\(band.lowerBound),\(band.upperBound)", problem: "needs 0 ≤ LOW < HIGH (Hz)")
        }
        guard window > 0, window.isFinite, step > 0, step.isFinite else {
            throw ServiceError.invalidOption("--window/--step", value: "\(window),\(step)", problem: "must be positive seconds")
        }
    }

    /// Parses "LOW,HIGH" (Hz) for `--band`.
    public static func band(parsing text: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low >= 0, high > low, high.isFinite else {
            throw ServiceError.invalidOption("--band", value: text, problem: "needs LOW,HIGH in Hz with 0 ≤ LOW < HIGH")
        }
        return low...high
    }
}
