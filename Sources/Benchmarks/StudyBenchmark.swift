import Foundation
import Services
import Store
import Twins

/// `dtb bench study`'s options.
public struct StudyBenchmarkOptions: Sendable {
    public var neurons = 10_000
    public var degree = 25.0
    public var seeds = 5
    /// Recorded seconds per run, after `warmup` seconds.
    public var seconds = 10.0
    public var warmup = 2.0
    /// The intervention timed (the DTB's lesion of V1 onto the ventral stream).
    public var intervention = "lesion:from=gyrus/MVOcC,to=gyrus/FuG+gyrus/ITG+gyrus/PhG"
    public var atlasMirror: URL?

    public init() {}
}

/// The figures of `dtb bench study --json`.
public struct StudyBenchmarkReport: Sendable, Encodable {
    public var tool = "dtb study create"
    public var neurons: Int
    public var synapses: Int
    /// Runs in the study: (1 untreated + 1 treated arm) × seeds.
    public var runs: Int
    /// Biological seconds per run (warm-up included).
    public var secondsPerRun: Double
    /// Wall seconds of the study (one child process).
    public var studyWallS: Double
    /// Wall seconds of as many plain `dtb twin run` children of the same length.
    public var plainRunsWallS: Double
    /// studyWallS / plainRunsWallS (target ≤ 1.2).
    public var ratio: Double
    public var machine: Machine
}

/// Times a study against the plain runs it consists of, on the sample subject's twin: both as
/// child processes on a scratch cluster, the plain runs first (the same arms × seeds count and
/// length), then the study that adds the lesion, the activity files, FC and the statistics.
public struct StudyBenchmark {
    public let options: StudyBenchmarkOptions
    public let executable: URL
    public let environment: ServiceEnvironment

    public init(options: StudyBenchmarkOptions, executable: URL, environment: ServiceEnvironment) {
        self.options = options; self.executable = executable; self.environment = environment
    }

    public func run(progress: @escaping @Sendable (String) -> Void) throws -> StudyBenchmarkReport {
        guard (1...100).contains(options.seeds) else { throw BenchmarkError("--seeds: give 1 to 100 seeds") }
        guard options.seconds.isFinite, (1...600).contains(options.seconds), options.warmup.isFinite, (0...60).contains(options.warmup) else {
            throw BenchmarkError("--seconds 1–600 and --warmup 0–60")
        }
        try BuildLimits.check(neurons: options.neurons, degree: options.degree)
        let store = try ScratchStore(name: "study", progress: progress)
        defer { store.close() }
        try store.ingestSampleSubject(label: "bench", mirror: options.atlasMirror, environment: environment, progress: progress)
        progress("building the N = \(options.neurons) twin (untimed)")
        let build = try TwinRegistry(database: store.database).build(TwinBuildRequest(
            subject: "bench", atlas: "brainnetome246", parameters: .init(neurons: options.neurons, meanInDegree: options.degree, seed: 1)))
        let twin = TwinReference(twin: build.twin, version: build.version).description
        let tr = "2", total = options.seconds + options.warmup, runs = 2 * options.seeds
        var plain = 0.0
        for k in 0..<runs {
            progress("timing: plain run \(k + 1) of \(runs) (dtb twin run, \(total) s)")
            plain += try store.timedChild(executable, ["twin", "run", twin, "--seconds", String(total), "--tr", tr, "--seed", String(1 + k % options.seeds),
                                                       "--json"], environment: environment.variables, progress: progress).wall
        }
        progress("timing: the study (dtb study create, \(runs) runs)")
        let study = try store.timedChild(executable, [
            "study", "create", "bench", "--twin", twin, options.intervention, "--seeds", String(options.seeds),
            "--seconds", String(options.seconds), "--warmup", String(options.warmup), "--tr", tr, "--json",
        ], environment: environment.variables, progress: progress).wall
        return StudyBenchmarkReport(neurons: options.neurons, synapses: build.synapses, runs: runs, secondsPerRun: total, studyWallS: study,
                                    plainRunsWallS: plain, ratio: study / plain, machine: Machine.current())
    }
}
