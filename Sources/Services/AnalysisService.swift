import Analyses
import Foundation
import Store

/// `dtb analyze`: the analyses of issue 14 on a series that is already stored (a twin run's BOLD
/// or a subject's BOLD measure). Reads, computes (Analyses), optionally draws (Plots); stores nothing.
public struct AnalysisService {
    /// Where the series are stored.
    public let database: Database

    /// The workflow on `database`.
    public init(database: Database) { self.database = database }

    /// The stored BOLD of a twin run or a subject's measure, frames × regions, checksums checked
    /// (what the dashboard's FC and BOLD comparisons draw).
    public func series(_ source: AnalysisOptions.Source) throws -> AnalysisSeries {
        try AnalysisSeriesReader(database: database).read(source)
    }

    /// Checks the options, reads the series and runs each analysis asked for; every refusal is one
    /// line naming the option or the data's problem.
    public func analyze(_ options: AnalysisOptions) throws -> AnalysisReport {
        try options.check()
        let reader = AnalysisSeriesReader(database: database)
        let series = try reader.read(options.source).selecting(options.regions)
        let onBOLD = options.psd || options.granger || options.sync || options.fcd
        guard !onBOLD || series.frames.count >= 4, series.regions.count >= 1 else {
            throw ServiceError.invalidRequest("\(series.title) has \(series.frames.count) frames; the analyses need at least 4")
        }
        var report = AnalysisReport(source: series.title, samplingRateHz: series.samplingRate, frames: series.frames.count,
                                    regions: series.regions)
        if options.psd { report.psd = try spectra(series) }
        if options.granger { report.granger = try granger(series, maxOrder: options.maxOrder) }
        if options.sync { report.sync = try synchrony(series, band: options.band) }
        if options.fcd {
            report.fcd = try dynamics(series, window: options.window, step: options.step,
                                      structure: series.regions.count >= 3 ? reader.structure(for: series) : nil)
        }
        if options.avalanches { report.avalanches = try avalanches(series) }
        if let folder = options.plots { report.plots = try AnalysisFigures.write(report, into: folder).map(\.path) }
        return report
    }

    /// Welch's PSD of every region (scipy's defaults) with its peak.
    func spectra(_ series: AnalysisSeries) throws -> AnalysisReport.Spectra {
        let psds = try series.regions.indices.map { u -> WelchSpectrum in
            guard let psd = WelchSpectrum(series.frames.map { $0[u] }, samplingRate: series.samplingRate) else {
                throw ServiceError.invalidRequest("--psd: \(series.regions[u]) has too few frames for a spectrum")
            }
            return psd
        }
        return AnalysisReport.Spectra(segmentLength: psds[0].segmentLength, overlap: psds[0].overlap, frequenciesHz: psds[0].frequencies,
                                      regions: zip(series.regions, psds).map {
                                          .init(region: $0, peakFrequencyHz: $1.peakFrequencies().first, density: $1.density)
                                      })
    }

    /// Conditional Granger causality; refuses series too short for the VAR before fitting.
    func granger(_ series: AnalysisSeries, maxOrder: Int) throws -> AnalysisReport.Granger {
        let n = series.regions.count
        guard n >= 2 else { throw ServiceError.invalidRequest("--granger needs at least 2 regions") }
        guard series.frames.count - maxOrder > n * maxOrder + 1 else {
            throw ServiceError.invalidRequest("--granger: \(series.frames.count) frames are too few for \(n) regions at order up to \(maxOrder) (more than \(n * maxOrder + 1 + maxOrder) needed); name fewer --regions or lower --max-order")
        }
        guard let gc = GrangerCausality(series.frames, maxOrder: maxOrder) else {
            throw ServiceError.invalidRequest("--granger: the regions' series are collinear or constant; no VAR can be fitted")
        }
        let links = gc.links.sorted { $0.strength > $1.strength }.map {
            AnalysisReport.Granger.Link(source: series.regions[$0.source], target: series.regions[$0.target], strength: $0.strength,
                                        fStatistic: $0.fStatistic, pValue: $0.pValue)
        }
        return AnalysisReport.Granger(order: gc.order, maxOrder: maxOrder, bic: gc.informationCriteria, links: links)
    }

    /// Kuramoto R(t) and PLV of the band's Hilbert phases; the band must start below Nyquist.
    func synchrony(_ series: AnalysisSeries, band: ClosedRange<Double>) throws -> AnalysisReport.Synchrony {
        let nyquist = series.samplingRate / 2
        guard band.lowerBound < nyquist else {
            throw ServiceError.invalidOption("--band", value: "\(band.lowerBound),\(band.upperBound)", problem: "starts above the Nyquist frequency \(nyquist) Hz of \(series.title)")
        }
        guard let sync = PhaseSynchrony(series.frames, samplingRate: series.samplingRate, band: band) else {
            throw ServiceError.invalidRequest("--sync needs at least 2 regions")
        }
        let n = sync.units
        return AnalysisReport.Synchrony(bandHz: [band.lowerBound, band.upperBound], meanOrderParameter: sync.meanOrderParameter,
                                        orderParameter: sync.orderParameter,
                                        phaseLockingValues: (0..<n).map { Array(sync.phaseLockingValues[($0 * n)..<(($0 + 1) * n)]) })
    }

    /// FC, the FCD distribution for windows and steps given in seconds, and FC–SC when a connectome is given.
    func dynamics(_ series: AnalysisSeries, window: Double, step: Double, structure: (measure: Int, matrix: [[Double]])?) throws
        -> AnalysisReport.Dynamics {
        let windowFrames = Int((window * series.samplingRate).rounded()), stepFrames = max(1, Int((step * series.samplingRate).rounded()))
        guard series.regions.count >= 3 else { throw ServiceError.invalidRequest("--fcd needs at least 3 regions") }
        guard let fcd = FunctionalConnectivityDynamics(series.frames, window: windowFrames, step: stepFrames) else {
            throw ServiceError.invalidOption("--window", value: "\(window)", problem: "is \(windowFrames) frames; \(series.title) has \(series.frames.count) frames, too few for two windows of at least 3 frames")
        }
        let fc = FunctionalConnectivity(series.frames)
        let n = fc.units, values = fcd.values
        let mean = values.reduce(0, +) / Double(max(values.count, 1))
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count, 1))).squareRoot()
        let fcsc = structure.map { measure, matrix in
            let r = fc.structuralCorrelation(matrix)
            return AnalysisReport.Structure(measure: measure, r: r.raw, logR: r.log)
        }
        return AnalysisReport.Dynamics(fc: (0..<n).map { Array(fc.matrix[($0 * n)..<(($0 + 1) * n)]) }, windowFrames: windowFrames,
                                       stepFrames: stepFrames, fcdMean: mean, fcdSd: sd, fcdValues: values.count, structure: fcsc)
    }

    /// Avalanches of the summed spike counts of the chosen regions: power laws of sizes and
    /// durations by maximum likelihood, compared with exponential and lognormal tails, the
    /// branching ratio and the crackling-noise relation.
    func avalanches(_ series: AnalysisSeries) throws -> AnalysisReport.Avalanches {
        guard let activity = series.activity else {
            throw ServiceError.invalidRequest("--avalanches: \(series.title) has no spike counts (record them with `dtb twin run --activity-bin 1`, or use a study run)")
        }
        let width = series.regions.count
        let counts = stride(from: 0, to: activity.counts.count, by: width).map { row in
            (row..<(row + width)).reduce(0) { $0 + Int(activity.counts[$1]) }
        }
        let found = NeuronalAvalanches(counts: counts)
        func fit(_ values: [Int]) -> (PowerLawFit, AnalysisReport.Avalanches.Fit)? {
            guard let law = PowerLawFit(values, minimumTail: 20) else { return nil }
            let comparisons = AlternativeDistribution.allCases.compactMap { alternative in
                PowerLawComparison(law, values: values, alternative: alternative).map {
                    AnalysisReport.Avalanches.Comparison(alternative: alternative.rawValue, logLikelihoodRatio: $0.logLikelihoodRatio,
                                                         normalizedRatio: $0.normalizedRatio, pValue: $0.pValue)
                }
            }
            return (law, .init(exponent: law.exponent, standardError: law.standardError, xMin: law.xMin, tailCount: law.tailCount,
                               ksDistance: law.ksDistance, comparisons: comparisons))
        }
        let sizes = fit(found.sizes), durations = fit(found.durations)
        let crackling = sizes.flatMap { s in durations.flatMap { d in CracklingNoise(found, sizeExponent: s.0.exponent, durationExponent: d.0.exponent) } }
        return AnalysisReport.Avalanches(binMs: activity.binMs, count: found.sizes.count, branchingRatio: found.branchingRatio,
                                         sizes: sizes?.1, durations: durations?.1, cracklingPredicted: crackling?.predictedExponent,
                                         cracklingFitted: crackling?.fittedExponent, cracklingStandardError: crackling?.fittedStandardError)
    }
}
