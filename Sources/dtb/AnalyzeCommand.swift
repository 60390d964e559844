import ArgumentParser
import Foundation
import Services

/// `dtb analyze (--run ID | --measure ID | --study STUDY/ARM/SEED) --psd|--granger|--sync|--fcd|--avalanches [--regions A,B,…] [--json] [--plots DIR]`
///
/// JSON: `{"source", "sampling_rate_hz", "frames", "regions", "psd"?: {"segment_length", "overlap", "frequencies_hz",
/// "regions": [{"region", "peak_frequency_hz"?, "density"}]}, "granger"?: {"order", "max_order", "bic",
/// "links": [{"source", "target", "strength", "f_statistic", "p_value"}]}, "sync"?: {"band_hz", "mean_order_parameter",
/// "order_parameter", "phase_locking_values"}, "fcd"?: {"fc", "window_frames", "step_frames", "fcd_mean", "fcd_sd",
/// "fcd_values", "structure"?: {"measure", "r"?, "log_r"?}}, "avalanches"?: {"bin_ms", "count", "branching_ratio"?,
/// "sizes"?: {"exponent", "standard_error", "x_min", "tail_count", "ks_distance", "comparisons": [{"alternative",
/// "log_likelihood_ratio", "normalized_ratio", "p_value"}]}, "durations"? (the same), "crackling_predicted"?,
/// "crackling_fitted"?, "crackling_standard_error"?}, "plots"?: [path]}`.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse a stored BOLD series: spectra, Granger causality, phase synchrony, FC and FCD.",
        discussion: """
            The series is a twin run's BOLD (--run, ids from `dtb twin show`), a subject's BOLD measure \
            (--measure, ids from `dtb subject show`) or a study's run (--study STUDY/ARM/SEED). Avalanches \
            need spike counts: study runs have them, twin runs when run with --activity-bin. Nothing is \
            stored; --plots writes SVG figures.
            """)
    @Option(name: .customLong("run"), help: "A stored twin run's id.") var runID: Int?
    @Option(name: .customLong("measure"), help: "A subject's BOLD measure id.") var measureID: Int?
    @Option(help: "A study run as STUDY/ARM/SEED (`dtb study show` lists them).") var study: String?
    @Flag(help: "Welch power spectral density per region, with its peak frequency.") var psd = false
    @Flag(help: "Conditional Granger causality between the regions (VAR order by BIC, F-test p-values).") var granger = false
    @Flag(help: "Kuramoto order parameter and phase-locking values of band-passed Hilbert phases.") var sync = false
    @Flag(help: "FC and sliding-window FC dynamics.") var fcd = false
    @Flag(help: "Neuronal avalanches of the binned spikes: power laws, branching ratio, crackling noise.") var avalanches = false
    @Option(help: "Regions to analyse, comma-separated names (default: all).") var regions: String?
    @Option(help: "Largest VAR order for --granger (1–32).") var maxOrder = 4
    @Option(help: "Pass band 'LOW,HIGH' in Hz for --sync.") var band = "0.01,0.1"
    @Option(help: "FCD window in seconds.") var window = 30.0
    @Option(help: "FCD step in seconds.") var step = 5.0
    @Option(help: "Folder to write SVG figures into.") var plots: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let report = try AnalysisService(database: Console.openDatabase()).analyze(options())
            if output.json { return try Console.printJSON(report) }
            for line in AnalysisText.lines(report) { Console.print(line) }
        }
    }

    /// The service's options; one of --run and --measure, exactly.
    func options() throws -> AnalysisOptions {
        let source: AnalysisOptions.Source
        switch (runID, measureID, study) {
        case let (id?, nil, nil): source = .run(id)
        case let (nil, id?, nil): source = .measure(id)
        case let (nil, nil, text?): source = try Self.studyRun(text)
        default: throw ServiceError.invalidRequest("name exactly one series: --run ID, --measure ID or --study STUDY/ARM/SEED")
        }
        var options = AnalysisOptions(source: source)
        options.psd = psd; options.granger = granger; options.sync = sync; options.fcd = fcd; options.avalanches = avalanches
        options.regions = regions.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        options.maxOrder = maxOrder
        options.band = try AnalysisOptions.band(parsing: band)
        options.window = window; options.step = step
        options.plots = plots.map { URL(fileURLWithPath: $0, isDirectory: true) }
        return options
    }

    /// `STUDY/ARM/SEED`.
    static func studyRun(_ text: String) throws -> AnalysisOptions.Source {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let arm = Int(parts[1]), let seed = Int(parts[2]) else {
            throw ServiceError.invalidOption("--study", value: text, problem: "names a run as STUDY/ARM/SEED, e.g. lesion/1/3")
        }
        return .studyRun(study: String(parts[0]), arm: arm, seed: seed)
    }
}
