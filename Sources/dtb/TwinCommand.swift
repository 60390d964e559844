import ArgumentParser
import Foundation
import Hemodynamics
import SpikingEngine
import TwinBuilder
import Twins

/// `dtb twin …`: personal networks built from a subject's records, one version per build.
struct Twin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, list, show and run a subject's digital twins and their versions.",
        subcommands: [TwinBuild.self, TwinList.self, TwinShow.self, TwinHistoryCommand.self, TwinRun.self])
}

extension TwinLevel: ExpressibleByArgument {}
extension SV2AFallback: ExpressibleByArgument {}
extension DWIFallback: ExpressibleByArgument {}

/// `dtb twin build SUBJECT --atlas NAME [--level region] --neurons N --degree K --seed S [--json]`
///
/// JSON: `{"twin", "version", "action": "created"|"unchanged", "neurons", "synapses", "networkDigest",
/// "files": [{"role": "nodes"|"edges"|"node_types"|"edge_types", "path", "sha256", "sizeBytes"}],
/// "fallbacks": {"sv2a"?, "dwi"?, "delay"?}, "undersizedLocalPools", "buildSeconds"}` (undersizedLocalPools > 0: some
/// local populations are too small for the shares the tables ask, and a warning goes to stderr).
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
    @Option(help: "Voxel level: gray-matter probability a voxel needs to become a unit.") var gmThreshold: Double = 0.5
    @Option(help: "Total neurons N (exact).") var neurons: Int
    @Option(help: "Mean in-degree K at the V1 reference density.") var degree: Double = 100
    @Option(help: "Seed of the synapse draws and the dynamics.") var seed: UInt64
    @Option(help: "SV2A scale clip 'LOW,HIGH', or 'none'.") var sv2aClip: String = "0.7,1.3"
    @Option(help: "Without SV2A PET: 'uniform' (every unit at the reference density).") var sv2a: SV2AFallback?
    @Option(help: "Without DWI: 'uniform' or 'none' (no connections between units).") var dwi: DWIFallback?
    @Option(help: "Regions of the SV2A reference, comma-separated (default: the atlas manifest's V1).") var sv2aReference: String?
    @Option(help: "Conduction speed (m/s) for long-range delays.") var conductionSpeed: Double = 3
    @Option(help: "Integration step (ms).") var dt: Double = 1
    @Option(help: "Balloon–Windkessel preset of the version's BOLD: dtb, friston2003, tvb-balloon.") var bold: String = "dtb"
    @Option(help: "Name of a new twin (default SUBJECT-ATLAS).") var name: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            guard let preset = BalloonWindkesselParameters.preset(named: bold) else {
                throw ValidationError("--bold \(bold): unknown preset (known: \(BalloonWindkesselParameters.presets.map(\.name).joined(separator: ", ")))")
            }
            var parameters = BuildParameters(neurons: neurons, meanInDegree: degree, seed: seed,
                                             sv2aClip: try Self.clip(sv2aClip), conductionSpeed: conductionSpeed, dt: dt,
                                             sv2aFallback: sv2a, dwiFallback: dwi,
                                             grayMatterThreshold: level == .voxel ? gmThreshold : nil)
            if dwi == DWIFallback.none { parameters.delayFallback = nil }
            let request = TwinBuildRequest(subject: subject, atlas: atlas, level: level, parameters: parameters, bold: preset,
                                           reference: sv2aReference.map { $0.split(separator: ",").map(String.init) }, name: name)
            let outcome = try TwinRegistry(database: try Console.openDatabase()).build(request, progress: Console.progress)
            if output.json { return try Console.printJSON(outcome) }
            print("\(outcome.twin)@\(outcome.version) \(outcome.action.rawValue): \(outcome.neurons) neurons, \(outcome.synapses) synapses, network \(outcome.networkDigest.prefix(12))… (\(String(format: "%.1f", outcome.buildSeconds)) s)")
            for file in outcome.files { print("  \(file.role.padding(toLength: 10, withPad: " ", startingAt: 0)) \(file.path)  \(file.sizeBytes) B") }
        }
    }

    static func clip(_ text: String) throws -> ClosedRange<Double>? {
        if text == "none" { return nil }
        let parts = text.split(separator: ",").compactMap { Double($0) }
        guard parts.count == 2, parts[0] <= parts[1] else { throw ValidationError("--sv2a-clip '\(text)': give LOW,HIGH (e.g. 0.7,1.3) or none") }
        return parts[0] ... parts[1]
    }
}

/// `dtb twin list [SUBJECT] [--json]`
///
/// JSON: `[{"twin", "subject", "atlas", "level", "versions", "latestVersion", "latestStatus", "neurons",
/// "synapses", "createdAt"}]` (neurons and synapses of the latest version).
struct TwinList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List twins (of one subject).")
    @Argument(help: "Only this subject's twins.") var subject: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let twins = try TwinQueries(database: try Console.openDatabase()).twins(subject: subject)
            if output.json { return try Console.printJSON(twins) }
            if twins.isEmpty { print("no twins; run `dtb twin build SUBJECT --atlas NAME --neurons N --seed S`"); return }
            for t in twins {
                print("\(t.twin)  sub-\(t.subject)  \(t.atlas)/\(t.level)  v\(t.latestVersion) of \(t.versions) (\(t.latestStatus))  \(t.neurons) neurons  \(t.synapses) synapses")
            }
        }
    }
}

/// `dtb twin show TWIN[@VERSION] [--json]`
///
/// JSON: `{"version": {"twin", "subject", "atlas", "level", "version", "parent"?, "origin", "status", "seed",
/// "createdAt", "codeVersion", "neurons", "synapses", "networkDigest", "inputs": [{"role", "measure", "session",
/// "scanPath", "scanVersion", "pipeline"}], "files": [...], "parameters": {builder parameters}, "bold": {preset},
/// "runs": [{"run", "seed", "seconds", "repetitionTime", "boldPreset", "spikes", "meanRateHz", "wallSeconds", "file",
/// "createdAt"}]}, "lobes": [{"lobe", "units", "neurons", "synapses", "meanInDegree"}], "units": [{"label", "name",
/// "lobe"?, "kind", "neurons", "meanInDegree", "sv2aScale", "longRangeInputs"}]}`.
struct TwinShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a twin version: inputs, parameters, lobes and units.")
    @Argument(help: "TWIN or TWIN@VERSION (default: the latest version).") var twin: String
    @Flag(help: "List every unit, not only the lobes.") var units = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let detail = try TwinQueries(database: try Console.openDatabase()).detail(try TwinReference(parsing: twin))
            if output.json { return try Console.printJSON(detail) }
            let v = detail.version
            print("\(v.twin)@\(v.version)  sub-\(v.subject)  \(v.atlas)/\(v.level)  \(v.origin), \(v.status)\(v.parent.map { ", parent v\($0)" } ?? "")  \(v.createdAt)")
            print("  \(v.neurons) neurons, \(v.synapses) synapses, K \(v.parameters.meanInDegree), seed \(v.seed), dt \(v.parameters.dt) ms, BOLD \(v.bold.name), \(v.codeVersion)")
            print("  network \(v.networkDigest)")
            for input in v.inputs { print("  input \(input.role): \(TwinText.input(input))") }
            let f = v.parameters
            if let s = f.sv2aFallback { print("  fallback sv2a: \(s.rawValue)") }
            if let d = f.dwiFallback { print("  fallback dwi: \(d.rawValue)") }
            print("lobes:")
            for l in detail.lobes {
                print("  " + TwinText.pad(l.lobe, 22) + String(format: " %4d units %10d neurons  K %6.1f", l.units, l.neurons, l.meanInDegree))
            }
            if units {
                print("units:")
                for u in detail.units {
                    print(String(format: "  %4d ", u.label) + TwinText.pad(u.name, 14) + " " + TwinText.pad(u.kind, 12)
                          + String(format: " %8d neurons  K %6.1f  s_v %.3f  %d long-range", u.neurons, u.meanInDegree,
                                   u.sv2aScale, u.longRangeInputs))
                }
            }
            for r in v.runs {
                print(String(format: "run %d: %.1f s, seed ", r.run, r.seconds) + String(r.seed)
                      + String(format: ", TR %.2f s, %d spikes, %.2f Hz, %.1f s wall  ", r.repetitionTime, r.spikes, r.meanRateHz, r.wallSeconds)
                      + r.file.path)
            }
        }
    }
}

/// `dtb twin history TWIN [--json]`
///
/// JSON: `{"twin", "subject", "atlas", "level", "versions": [{"version", "parent"?, "origin", "status", "createdAt",
/// "neurons", "synapses", "networkDigest", "changes": [{"kind": "data"|"parameter"|"code"|"network", "what",
/// "from"?, "to"?}]}]}` — changes are relative to the parent version.
struct TwinHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List a twin's versions and what changed between them.")
    @Argument(help: "Twin name.") var twin: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let history = try TwinQueries(database: try Console.openDatabase()).history(twin)
            if output.json { return try Console.printJSON(history) }
            print("\(history.twin)  sub-\(history.subject)  \(history.atlas)/\(history.level)")
            for v in history.versions {
                print("v\(v.version)  \(v.createdAt)  \(v.origin), \(v.status)  \(v.neurons) neurons  \(v.synapses) synapses  \(v.networkDigest.prefix(12))…")
                for c in v.changes { print("    \(c.kind) \(c.what): \(c.from ?? "—") → \(c.to ?? "—")") }
            }
        }
    }
}

/// `dtb twin run TWIN[@VERSION] --seconds T [--seed S] [--tr SECONDS] [--threads N] [--json]`
///
/// JSON: `{"run", "seed", "seconds", "repetitionTime", "boldPreset", "spikes", "meanRateHz", "wallSeconds",
/// "file": {"role": "run", "path", "sha256", "sizeBytes"}, "createdAt"}`; the HDF5 file holds /bold
/// (samples × units), /unit_rate_hz, /population_rate_hz, /units, /populations.
struct TwinRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Simulate a twin version and store its BOLD and rates.")
    @Argument(help: "TWIN or TWIN@VERSION (default: the latest version).") var twin: String
    @Option(help: "Biological time to simulate (s).") var seconds: Double
    @Option(help: "Seed of the dynamics (default: the version's seed).") var seed: UInt64?
    @Option(help: "BOLD sampling interval (s; default: the subject's BOLD TR, else 2).") var tr: Double?
    @Option(help: "Threads (the result does not depend on it).") var threads: Int = defaultThreadCount
    @OptionGroup var output: OutputOptions

    func run() throws {
        try Console.run {
            let request = TwinRunRequest(version: try TwinReference(parsing: twin), seconds: seconds, seed: seed,
                                         repetitionTime: tr, threads: threads)
            let run = try TwinRunner(database: try Console.openDatabase()).run(request, progress: Console.progress)
            if output.json { return try Console.printJSON(run) }
            print(String(format: "run %d: %.1f s, %d spikes, %.2f Hz, TR %.2f s, %.1f s wall → ", run.run, run.seconds, run.spikes,
                         run.meanRateHz, run.repetitionTime, run.wallSeconds) + run.file.path)
        }
    }
}

enum TwinText {
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func input(_ i: TwinVersionInput) -> String {
        (i.session.isEmpty ? "" : "ses-\(i.session) ") + "\(i.scanPath) v\(i.scanVersion) [\(i.pipeline)] (measure \(i.measure))"
    }
}
