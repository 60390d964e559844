import ArgumentParser
import Foundation
import Services
import SpikingEngine
import Studies
import Twins

/// `dtb study create|run|list|show`: virtual-treatment studies.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study", abstract: "Virtual-treatment studies: a twin version treated against untreated, over seeds.",
        subcommands: [StudyCreate.self, StudyResume.self, StudyList.self, StudyShow.self])
}

/// `dtb study create NAME --twin TWIN@VERSION INTERVENTION... [--seeds N] [--seconds T] [--sweep KEY=VALUES] [--queue] [--json]`
///
/// JSON: `{"study": <the show document>, "jobs": [job id, …]}` (one job per run when queued).
struct StudyCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a study and run it (or queue it for `dtb worker`).",
        discussion: """
            Each INTERVENTION is KIND:KEY=VALUE,… —
              lesion:from=REGIONS,to=REGIONS          the long-range synapses from one set onto another removed
              silence:regions=REGIONS                 the regions' neurons out of the dynamics
              rewire:p=P[,k=4][,model=nearest|degree-preserving|erdos-renyi]
              stimulate:regions=REGIONS,waveform=pulses|sine|constant|series,frequency=HZ,width=MS,amplitude=A[,onset=S][,offset=S][,file=PATH,interval=MS]
              receptor:channel=ampa|nmda|gabaa|gabab,factor=F[,regions=REGIONS][,map=MEASURE]
            REGIONS are selectors joined by + (either) and & (both): a region name (cLinG_L), label/189, \
            lobe/Occipital Lobe, gyrus/MVOcC, hemisphere/left, kind/subcortical, or a network such as \
            yeo7/Visual. Every treated arm applies all interventions; --sweep makes one arm per value \
            of one numeric key (p, factor, amplitude, …). All arms run with the same seeds; the same \
            command again resumes an interrupted study. Progress goes to stderr.
            """)
    @Argument(help: "The study's name.") var name: String
    @Option(help: "TWIN@VERSION to treat (default: the twin's latest version).") var twin: String
    @Argument(help: "The interventions (see above).") var interventions: [String] = []
    @Option(help: "Seeds per arm (1–1000).") var seeds = 5
    @Option(help: "The first seed (the others follow it).") var seed = 1
    @Option(help: "Recorded seconds (default: 10 s, or the fitted run of an assimilated version).") var seconds: Double?
    @Option(help: "Seconds simulated before the recorded span (default 2 s, or the fit's warm-up).") var warmup: Double?
    @Option(help: "BOLD repetition time in seconds (default: the fit's or the subject's).") var tr: Double?
    @Option(help: "Activity bin in ms.") var bin = 1.0
    @Flag(help: "Also keep spikes per population (layer and type of each unit) in the activity bins (/population_activity).")
    var populationActivity = false
    @Option(help: "One parameter swept: KEY=V1,V2,… or KEY=FROM:TO:STEP.") var sweep: String?
    @Option(help: "The BOLD measure whose FC each arm is compared with (default: the fit's, or the latest rest run).") var measure: Int?
    @Flag(help: "Store the study and queue one job per run for `dtb worker` processes instead of running it here.") var queue = false
    @Option(help: "Threads (the result does not depend on it).") var threads: Int = defaultThreadCount
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var request = StudyRequest(name: name, version: try TwinReference(parsing: twin),
                                       interventions: try interventions.map(InterventionSpec.init(parsing:)),
                                       sweep: try sweep.map(Sweep.init(parsing:)), seeds: seeds, firstSeed: seed, seconds: seconds,
                                       warmup: warmup, repetitionTime: tr, binMilliseconds: bin, measure: measure, threads: threads)
            request.populationActivity = populationActivity
            let created = try StudyService(database: Console.openDatabase()).create(request, queue: queue, progress: Console.progress)
            if output.json { return try Console.printJSON(created) }
            if let first = created.jobs.first, let last = created.jobs.last {
                Console.print("study \(name) queued as \(created.jobs.count) jobs (\(first)…\(last)), one per run: any number of `dtb worker` processes share them")
            }
            for line in StudyText.report(created.study) { Console.print(line) }
        }
    }
}

/// `dtb study run NAME [--json]`: resume.
struct StudyResume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run what a study lacks (resume it) and complete it.")
    @Argument(help: "The study's name.") var name: String
    @Option(help: "Threads (the result does not depend on it).") var threads: Int = defaultThreadCount
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let report = try StudyService(database: Console.openDatabase()).resume(name, threads: threads, progress: Console.progress)
            if output.json { return try Console.printJSON(report) }
            for line in StudyText.report(report) { Console.print(line) }
        }
    }
}

/// `dtb study list [--json]`. JSON: `[{"study", "twin", "status", "seeds", "arms", "runs", "created_at"}]`.
struct StudyList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the studies, newest first.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let studies = try StudyService(database: Console.openDatabase()).list()
            if output.json { return try Console.printJSON(studies) }
            if studies.isEmpty { return Console.print("no studies (`dtb study create`)") }
            for s in studies {
                Console.print("\(s.study)  \(s.twin)  \(s.status)  \(s.arms) arms × \(s.seeds) seeds  \(s.runs) runs  \(s.createdAt)")
            }
        }
    }
}

/// `dtb study show NAME [--plots DIR] [--json]`
///
/// JSON: `{"study", "twin", "status", "created_at", "settings": {"interventions": [{"kind", "parameters"}], "sweep"?,
/// "seeds", "seconds", "warmup_seconds", "repetition_time", "bin_milliseconds", "measure"?, "replay", "psd_frequencies", "population_activity"?},
/// "arms": [{"arm", "label", "sweep_value"?, "interventions", "runs", "mean_rate_hz"?, "fc_similarity"?, "fc_similarity_lower"?,
/// "fc_similarity_upper"?}], "runs": [{"arm", "seed", "spikes", "mean_rate_hz", "fc_similarity"?, "wall_seconds", "path", "sha256"}],
/// "effects": [{"arm", "outcome", "unit", "control_mean", "treated_mean", "difference", "lower"?, "upper"?, "effect_size"?,
/// "p"?, "q"?}], "trend"?: {"key", "slope", "standard_error", "p", "runs"}, "plots"?: [path]}`.
struct StudyShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a study's comparison, largest effects first.")
    @Argument(help: "The study's name.") var name: String
    @Option(help: "Folder to write SVG figures into.") var plots: String?
    @Option(help: "Effects to print (text only; --json has all).") var top = 15
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        var report: StudyReport
        var plots: [String]?
        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encodeIfPresent(plots, forKey: .plots)
        }
        enum Key: String, CodingKey { case plots }
    }

    func run() throws {
        try Console.run {
            let shown = try StudyService(database: Console.openDatabase())
                .show(name, plots: plots.map { URL(fileURLWithPath: $0, isDirectory: true) })
            if output.json { return try Console.printJSON(Document(report: shown.report, plots: plots == nil ? nil : shown.plots)) }
            for line in StudyText.report(shown.report, top: top) { Console.print(line) }
            for path in shown.plots { Console.print("wrote \(path)") }
        }
    }
}
