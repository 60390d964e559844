import ArgumentParser
import Foundation
import MPIKit
import Services
import SpikingEngine
import Twins

/// `dtb twin assimilate TWIN[@VERSION] --run MEASURE [--members M] [--fit ext|ampa,gabaa|...] [--units all|LIST] [--seed S] [--json]`
///
/// JSON: `{"twin", "version", "parent", "action": "created"|"resumed"|"unchanged", "measure", "frames", "members",
/// "fitted_units", "hyperparameters": [{"kind", "bounds": {"lower", "upper", "scale"}}], "observation": {"preset",
/// "dropped_frames", "band"?: [lo, hi], "calibration"?: {"at_lower", "at_upper", "rate_at_lower", "rate_at_upper",
/// "warmup_seconds", "measured_seconds"}, "task"?, "repetition_time"}, "fit": {"transient_frames", "bold_r"?, "seconds_per_frame"?,
/// "bold_r_per_unit"}, "warm_start"?, "wall_seconds", "seconds_per_frame"}`.
///
/// Under `mpirun -np R` the members are shared over R ranks (the same fit as one process); rank 0
/// alone opens the database, writes the checkpoints and prints.
struct TwinAssimilate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assimilate", abstract: "Fit a twin version to one of its subject's BOLD runs as a new version.",
        discussion: """
            The diffusion ensemble Kalman filter of the Fudan digital twin brain: M members of the \
            version share its network; per fitted unit, the hyperparameters random-walk in logit \
            space, every member runs one TR, and the hierarchical analysis (local weight rho, global \
            1 - rho) updates them and the members' Balloon-Windkessel states from the unit's BOLD. \
            The ensemble is checkpointed every few frames: if the run is stopped, the same command \
            resumes it and ends with exactly the uninterrupted result. Progress goes to stderr.
            """)
    @Argument(help: "TWIN or TWIN@VERSION (default: the latest version).") var twin: String
    @Option(name: .customLong("run"), help: "The BOLD measure to fit (an id from `dtb subject show`).") var measure: Int
    @Option(help: "Ensemble members (2–1024).") var members = Self.given.members
    @Option(help: "Fitted hyperparameters, comma-separated: ext (E external current), ampa, nmda, gabaa, gabab (conductance factors).")
    var fit = Self.given.fit
    @Option(help: "Bounds KIND=LO:HI, comma-separated (default \(Self.defaultBounds)).")
    var bounds: String?
    @Option(help: "Fitted units: all, or region names comma-separated (the others run as built).") var units = Self.given.units
    @Option(help: "Seed of the filter and the members' dynamics.") var seed = Self.given.seed
    @Option(help: "Random-walk variance Q of the logit hyperparameters per frame.") var processVariance = Self.given.processVariance
    @Option(help: "Observation error variance R.") var observationVariance = Self.given.observationVariance
    @Option(help: "Weight rho of each unit's own update (1 - rho: the unit-averaged one).") var localWeight = Self.given.localWeight
    @Option(help: "Multiplicative inflation of the ensemble after each analysis (1: none).") var inflation = Self.given.inflation
    @Option(help: "Biological seconds simulated before the first frame.") var warmup = Self.given.warmup
    @Option(help: "Observation preset: zscore-band (real data: z-score, map into the calibrated band) or raw (model units).")
    var observation = Self.given.observation
    @Option(help: "Frames dropped from the start of the run.") var dropFrames = Self.given.dropFrames
    @Option(help: "Frames between checkpoints.") var checkpointEvery = Self.given.checkpointEvery
    @Flag(inversion: .prefixedNo, help: "Start from the parent's posterior ensemble when it has one of this shape.") var warmStart = Self.given.warmStart
    @Option(help: "Threads (the result does not depend on it).") var threads: Int = defaultThreadCount
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let request = try options.request()
            guard let outcome = try Self.assimilate(request) else { return }
            if output.json { return try Console.printJSON(outcome) }
            for line in TwinAssimilationText.outcome(outcome) { Console.print(line) }
        }
    }

    /// The outcome: in this process, or with the members shared over the ranks when launched by
    /// mpirun (nil on ranks other than 0, which neither open the database nor print).
    static func assimilate(_ request: TwinAssimilationRequest) throws -> TwinAssimilationOutcome? {
        guard let world = try MPIWorld.start() else {
            return try TwinService(database: Console.openDatabase()).assimilate(request, progress: Console.progress)
        }
        return try DistributedAssimilation(world: world).assimilate(request, database: Console.openDatabase,
                                                                    progress: world.isRoot ? Console.progress : { _ in })
    }

    private static let given = TwinAssimilationOptions.given

    /// The default bounds as `--bounds` writes them.
    private static let defaultBounds: String = {
        let e = TwinAssimilationRequest.defaultBounds(.externalCurrent), g = TwinAssimilationRequest.defaultBounds(.ampa)
        return "ext=\(e.lowerBound):\(e.upperBound), conductances \(g.lowerBound):\(g.upperBound)"
    }()

    var options: TwinAssimilationOptions {
        var o = TwinAssimilationOptions(twin: twin, run: measure)
        o.members = members; o.fit = fit; o.bounds = bounds; o.units = units; o.seed = seed
        o.processVariance = processVariance; o.observationVariance = observationVariance; o.localWeight = localWeight
        o.inflation = inflation; o.warmup = warmup; o.observation = observation; o.dropFrames = dropFrames
        o.checkpointEvery = checkpointEvery; o.warmStart = warmStart; o.threads = threads
        return o
    }
}

/// `dtb twin validate TWIN[@VERSION] --run MEASURE [--seed S] [--transient F] [--max-lag L] [--json]`
///
/// JSON: `{"validation", "twin", "version", "measure", "replay": "built"|"fitted"|"mean", "in_sample",
/// "observation_preset", "seed", "frames", "all": {figures}, "assimilated"?: {figures}, "other"?: {figures},
/// "baselines": {"empirical_fc_structure"?, "empirical_fc_log_structure"?, "built_version"?, "built_bold_r"?, "built_fc_similarity"?}, "wall_seconds", "created_at"}` with figures `{"units", "bold_r"?, "lag"?,
/// "bold_r_per_unit", "fc_similarity"?, "fc_distance"?, "fcd_ks"?}`.
struct TwinValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Compare a twin version's replay with a stored BOLD run and store the figures.",
        discussion: """
            A built version runs as built; an assimilated version replays its fitted h(t) on the run \
            it was fitted to, and its time-averaged h on any other run (out of sample). Figures: \
            per-unit BOLD r at the best lag (0 to --max-lag frames), FC similarity, relative Frobenius \
            distance, FCD KS distance, for all, assimilated and other units; baselines: the data's \
            FC against the structural connectivity, and the built version's figures on the same run.
            """)
    @Argument(help: "TWIN or TWIN@VERSION (default: the latest version).") var twin: String
    @Option(name: .customLong("run"), help: "The BOLD measure (an id from `dtb subject show`).") var measure: Int
    @Option(help: "Seed of the replay's dynamics (default: the version's seed).") var seed: UInt64?
    @Option(help: "Frames dropped from the start before comparing.") var transient = 5
    @Option(help: "Largest lag (frames) searched for the per-unit BOLD r.") var maxLag = 3
    @Option(help: "Threads (the result does not depend on it).") var threads: Int = defaultThreadCount
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var request = TwinValidationRequest(version: try TwinReference(parsing: twin), measure: measure, threads: threads)
            request.seed = seed; request.transientFrames = transient; request.maxLag = maxLag
            let report = try TwinService(database: Console.openDatabase()).validate(request, progress: Console.progress)
            if output.json { return try Console.printJSON(report) }
            for line in TwinAssimilationText.validation(report) { Console.print(line) }
        }
    }
}
