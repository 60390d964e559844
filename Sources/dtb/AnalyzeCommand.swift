import ArgumentParser
import Foundation
import Services

/// `dtb analyze (--run ID | --measure ID) --psd|--granger|--sync|--fcd [--regions A,B,…] [--json] [--plots DIR]`
///
/// JSON: `{"source", "sampling_rate_hz", "frames", "regions", "psd"?: {"segment_length", "overlap", "frequencies_hz",
/// "regions": [{"region", "peak_frequency_hz"?, "density"}]}, "granger"?: {"order", "max_order", "bic",
/// "links": [{"source", "target", "strength", "f_statistic", "p_value"}]}, "sync"?: {"band_hz", "mean_order_parameter",
/// "order_parameter", "phase_locking_values"}, "fcd"?: {"fc", "window_frames", "step_frames", "fcd_mean", "fcd_sd",
/// "fcd_values", "structure"?: {"measure", "r"?, "log_r"?}}, "plots"?: [path]}`.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse a stored BOLD series: spectra, Granger causality, phase synchrony, FC and FCD.",
        discussion: """
            The series is a twin run's BOLD (--run, ids from `dtb twin show`) or a subject's BOLD measure \
            (--measure, ids from `dtb subject show`). Avalanches need spike counts, which runs do not store \
            yet. Nothing is stored; --plots writes SVG figures.
            """)
    @Option(name: .customLong("run"), help: "A stored twin run's id.") var runID: Int?
    @Option(name: .customLong("measure"), help: "A subject's BOLD measure id.") var measureID: Int?
    @Flag(help: "Welch power spectral density per region, with its peak frequency.") var psd = false
    @Flag(help: "Conditional Granger causality between the regions (VAR order by BIC, F-test p-values).") var granger = false
    @Flag(help: "Kuramoto order parameter and phase-locking values of band-passed Hilbert phases.") var sync = false
    @Flag(help: "FC and sliding-window FC dynamics.") var fcd = false
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
        switch (runID, measureID) {
        case let (id?, nil): source = .run(id)
        case let (nil, id?): source = .measure(id)
        default: throw ServiceError.invalidRequest("name exactly one series: --run ID or --measure ID")
        }
        var options = AnalysisOptions(source: source)
        options.psd = psd; options.granger = granger; options.sync = sync; options.fcd = fcd
        options.regions = regions.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        options.maxOrder = maxOrder
        options.band = try AnalysisOptions.band(parsing: band)
        options.window = window; options.step = step
        options.plots = plots.map { URL(fileURLWithPath: $0, isDirectory: true) }
        return options
    }
}
