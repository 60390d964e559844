import ArgumentParser
import Foundation
import MPIKit
import Services
import SpikingEngine
import TwinBuilder
import Twins

/// `dtb twin …`: personal networks built from a subject's records, one version per build.
struct Twin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, list, show and run a subject's digital twins and their versions.",
        subcommands: [TwinBuild.self, TwinList.self, TwinShow.self, TwinHistoryCommand.self, TwinRun.self, TwinAssimilate.self,
                      TwinValidate.self])
}

extension TwinLevel: ExpressibleByArgument {}
extension SV2AFallback: ExpressibleByArgument {}
extension DWIFallback: ExpressibleByArgument {}

/// `dtb twin build SUBJECT --atlas NAME [--level region] --neurons N --degree K --seed S [--json]`
///
/// JSON: `{"twin", "version", "action": "created"|"unchanged", "neurons", "synapses", "network_digest",
/// "files": [{"role": "nodes"|"edges"|"node_types"|"edge_types", "path", "sha256", "size_bytes"}],
/// "fallbacks": {"sv2a"?, "dwi"?, "delay"?}, "undersized_local_pools", "build_seconds"}` (undersized_local_pools > 0:
/// some local populations are too small for the shares the tables ask, and a warning goes to stderr).
struct TwinBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build a subject's twin from its stored records as a new version.",
        discussion: """
            Neurons per unit follow gray-matter volume, in-degree follows SV2A relative to the V1 \
            reference regions (clipped), long-range inputs follow DWI tract density; cortical units are \
            L2/3–L6 columns. A missing modality is an error unless a fallback is named. Building the \
            same inputs with the same parameters again changes nothing (same version).
            """)
    @Argument(help: "Subject label (with or without sub-).") var subject: String
    @Option(help: "Atlas the units come from (brainnetome246, cortsub374, ...).") var atlas: String
    @Option(help: "Units: region (atlas regions) or voxel (the atlas's gray-matter voxels, E/I each).") var level: TwinLevel = .region
    @Option(help: "Voxel level: gray-matter probability a voxel needs to become a unit, in [0, 1).") var gmThreshold: Double = 0.5
    @Option(help: "Total neurons N (exact).") var neurons: Int
    @Option(help: "Mean in-degree K at the V1 reference density.") var degree: Double = 100
    @Option(help: "Seed of the synapse draws and the dynamics.") var seed: UInt64
    @Option(help: "SV2A scale clip 'LOW,HIGH', or 'none'.") var sv2aClip: String = "0.7,1.3"
    @Option(help: "Without SV2A PET: 'uniform' (every unit at the reference density).") var sv2a: SV2AFallback?
    @Option(help: "Without DWI: 'uniform' or 'none' (no connections between units).") var dwi: DWIFallback?
    @Option(help: "Regions of the SV2A reference, comma-separated (default: the atlas manifest's V1).") var sv2aReference: String?
    @Option(help: "Conduction speed (m/s, 0.1–1000) for long-range delays.") var conductionSpeed: Double = 3
    @Option(help: "Integration step (ms, 0.01–10).") var dt: Double = 1
    @Option(help: "Balloon–Windkessel preset of the version's BOLD: dtb, friston2003, tvb-balloon.") var bold: String = "dtb"
    @Option(help: "Name of a new twin (default SUBJECT-ATLAS).") var name: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let request = try options.request()
            let outcome = try TwinService(database: Console.openDatabase()).build(request, progress: Console.progress)
            if output.json { return try Console.printJSON(outcome) }
            Console.print("\(outcome.twin)@\(outcome.version) \(outcome.action.rawValue): \(outcome.neurons) neurons, \(outcome.synapses) synapses, network \(outcome.networkDigest.prefix(12))… (\(String(format: "%.1f", outcome.buildSeconds)) s)")
            for file in outcome.files { Console.print("  \(file.role.padding(toLength: 10, withPad: " ", startingAt: 0)) \(file.path)  \(file.sizeBytes) B") }
        }
    }

    var options: TwinBuildOptions {
        var options = TwinBuildOptions(subject: subject, atlas: atlas, neurons: neurons, seed: seed)
        options.level = level
        options.grayMatterThreshold = gmThreshold
        options.degree = degree
        options.sv2aClip = sv2aClip
        options.sv2aFallback = sv2a
        options.dwiFallback = dwi
        options.sv2aReference = sv2aReference
        options.conductionSpeed = conductionSpeed
        options.dt = dt
        options.bold = bold
        options.name = name
        return options
    }
}

/// `dtb twin list [SUBJECT] [--json]`
///
/// JSON: `[{"twin", "subject", "atlas", "level", "versions", "latest_version", "latest_status", "neurons",
/// "synapses", "created_at"}]` (neurons and synapses of the latest version).
struct TwinList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List twins (of one subject).")
    @Argument(help: "Only this subject's twins.") var subject: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let twins = try TwinService(database: Console.openDatabase()).list(subject: subject)
            if output.json { return try Console.printJSON(twins) }
            if twins.isEmpty { Console.print("no twins; run `dtb twin build SUBJECT --atlas NAME --neurons N --seed S`"); return }
            for t in twins {
                Console.print("\(t.twin)  sub-\(t.subject)  \(t.atlas)/\(t.level.rawValue)  v\(t.latestVersion) of \(t.versions) (\(t.latestStatus))  \(t.neurons) neurons  \(t.synapses) synapses")
            }
        }
    }
}

/// `dtb twin show TWIN[@VERSION] [--json]`
///
/// JSON: `{"version": {"twin", "subject", "atlas", "level", "version", "parent"?, "origin", "status", "seed",
/// "created_at", "code_version", "neurons", "synapses", "network_digest", "inputs": [{"role", "measure", "session",
/// "scan_path", "scan_version", "pipeline"}], "files": [...], "parameters": {builder parameters}, "bold": {preset},
/// "runs": [{"run", "seed", "seconds", "repetition_time", "bold_preset", "spikes", "mean_rate_hz", "wall_seconds",
/// "file", "created_at"}]}, "lobes": [{"lobe", "units", "neurons", "synapses", "mean_in_degree"}], "units": [{"label",
/// "name", "lobe"?, "kind", "neurons", "mean_in_degree", "sv2a_scale", "long_range_inputs"}]}`.
struct TwinShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a twin version: inputs, parameters, lobes and units.")
    @Argument(help: "TWIN or TWIN@VERSION (default: the latest version).") var twin: String
    @Flag(help: "List every unit, not only the lobes.") var units = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let detail = try TwinService(database: Console.openDatabase()).show(twin)
            if output.json { return try Console.printJSON(detail) }
            for line in TwinText.detail(detail, units: units) { Console.print(line) }
        }
    }
}

/// `dtb twin history TWIN [--json]`
///
/// JSON: `{"twin", "subject", "atlas", "level", "versions": [{"version", "parent"?, "origin", "status", "created_at",
/// "neurons", "synapses", "network_digest", "changes": [{"kind": "data"|"parameter"|"code"|"network", "what",
/// "from"?, "to"?}]}]}` — changes are relative to the parent version; a parameter's `what` is its path in
/// `dtb twin show --json` (`mean_in_degree`, `bold.epsilon`).
struct TwinHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List a twin's versions and what changed between them.")
    @Argument(help: "Twin name.") var twin: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let history = try TwinService(database: Console.openDatabase()).history(twin)
            if output.json { return try Console.printJSON(history) }
            for line in TwinText.history(history) { Console.print(line) }
        }
    }
}

/// `dtb twin run TWIN[@VERSION] --seconds T [--seed S] [--tr SECONDS] [--threads N] [--checkpoint-every S] [--json]`
///
/// A run longer than `--checkpoint-every` (60 s) keeps its state in `<home>/checkpoints/` as it goes:
/// after a kill the same command continues from the last checkpoint and stores exactly the run an
/// uninterrupted command would have.
///
/// Under `mpirun -np R` the twin is shared over R ranks of N threads each (the same result as one
/// process with R × N threads); rank 0 alone opens the database and prints.
///
/// JSON: `{"run", "seed", "seconds", "repetition_time", "bold_preset", "spikes", "mean_rate_hz", "wall_seconds",
/// "file": {"role": "run", "path", "sha256", "size_bytes"}, "created_at"}`; the HDF5 file holds /bold
/// (samples × units), /unit_rate_hz, /population_rate_hz, /units, /populations, and on request /activity (bins ×
/// units, spike counts, attribute bin_ms), /population_activity (bins × populations, the same bins) and
/// /raster/neuron, /raster/time_ms.
struct TwinRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Simulate a twin version and store its BOLD and rates.")
    @Argument(help: "TWIN or TWIN@VERSION (default: the latest version).") var twin: String
    @Option(help: "Biological time to simulate (s).") var seconds: Double
    @Option(help: "Seed of the dynamics (default: the version's seed).") var seed: UInt64?
    @Option(help: "BOLD sampling interval (s, a whole number of the twin's steps; default: the subject's BOLD TR, else 2).")
    var tr: Double?
    @Option(help: "Threads (the result does not depend on it).") var threads: Int = defaultThreadCount
    @Option(help: "Also record spikes per unit in bins of this many ms (/activity: avalanches, fast spectra).") var activityBin: Double?
    @Option(help: "Also keep the spikes of N neurons per population, evenly spaced (/raster).") var raster = 0
    @Flag(help: "Also record spikes per population (layer and type of each unit) in the activity bins (1 ms unless --activity-bin).")
    var populationActivity = false
    @Option(help: ArgumentHelp("Biological seconds between checkpoints (0: none); the same command after a kill continues from the last.",
                               discussion: "Not under mpirun: a run over ranks starts again."))
    var checkpointEvery = 60.0
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            var options = TwinRunOptions(twin: twin, seconds: seconds)
            options.populationActivity = populationActivity
            options.checkpointEvery = checkpointEvery
            options.seed = seed
            options.repetitionTime = tr
            options.threads = threads
            options.activityBin = activityBin
            options.rasterPerPopulation = raster
            let request = try options.request()
            guard let run = try Self.run(request) else { return }
            if output.json { return try Console.printJSON(run) }
            Console.print(String(format: "run %d: %.1f s, %d spikes, %.2f Hz, TR %.2f s, %.1f s wall → ", run.run, run.seconds, run.spikes,
                                 run.meanRateHz, run.repetitionTime, run.wallSeconds) + run.file.path)
        }
    }

    /// The stored run: in this process, or over the ranks when launched by mpirun (nil on ranks
    /// other than 0, which neither open the database nor print).
    static func run(_ request: TwinRunRequest) throws -> TwinRunInfo? {
        guard let world = try MPIWorld.start() else {
            return try TwinService(database: Console.openDatabase()).run(request, progress: Console.progress)
        }
        do {
            return try DistributedTwinRun(world: world).run(request, database: Console.openDatabase,
                                                            progress: world.isRoot ? Console.progress : { _ in })
        } catch DistributedRunError.elsewhere {
            throw ExitCode.failure
        }
    }
}
