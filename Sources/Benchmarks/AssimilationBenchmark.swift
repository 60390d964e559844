import Foundation
import Ingest
import SampleSubjects
import Services
import Store
import Twins

/// `dtb bench assimilate`'s options.
public struct AssimilationBenchmarkOptions: Sendable {
    /// Ensemble sizes M.
    public var members = [16, 32]
    /// Neurons per member (the twin's N).
    public var neurons = [10_000, 100_000]
    /// Mean in-degree of each twin (per N: 25 below 100k neurons, where K = 100 leaves local pools too small).
    public var degree: Double?
    /// Frames timed per fit (TR 2 s), after a warm-up of `warmup` biological seconds.
    public var frames = 3
    public var warmup = 2.0
    /// Atlas mirror; nil: the environment's default.
    public var atlasMirror: URL?

    public init() {}
}

/// One ensemble size and twin size.
public struct AssimilationBenchmarkRow: Sendable, Encodable {
    public var members: Int
    public var neurons: Int
    public var synapses: Int
    public var frames: Int
    /// Wall seconds per BOLD frame (TR 2 s: under 2 is real time), from the frame loop alone.
    public var secondsPerFrame: Double
    /// Member-neuron updates per second: M × N × steps per frame / seconds per frame.
    public var memberNeuronUpdatesPerS: Double
    /// The child's own peak resident set (MB).
    public var peakRssMB: Double
}

/// The figures of `dtb bench assimilate --json`.
public struct AssimilationBenchmarkReport: Sendable, Encodable {
    public var tool = "dtb twin assimilate"
    public var rows: [AssimilationBenchmarkRow]
    /// Per N: the peak RSS of a lone `dtb twin run` (MB), and the memory each further member adds
    /// (MB: peak RSS difference between the largest and smallest M over their member difference).
    public var loneTwinRssMB: [String: Double]
    public var memoryPerMemberMB: [String: Double]
    public var machine: Machine
}

/// Times `dtb twin assimilate` on the sample subject's twin (Brainnetome-246) for each N and M.
///
/// Self-contained like ``BuildBenchmark``: a scratch cluster; the atlas, the sample subject's
/// anatomy, a twin of each N and a short rest run from the ground-truth twin set up untimed; then
/// a lone `dtb twin run` of each N and each fit as timed child processes, each with its own peak
/// resident set.
public struct AssimilationBenchmark {
    public let options: AssimilationBenchmarkOptions
    public let executable: URL
    public let environment: ServiceEnvironment

    static let atlas = "brainnetome246"

    public init(options: AssimilationBenchmarkOptions, executable: URL, environment: ServiceEnvironment) {
        self.options = options; self.executable = executable; self.environment = environment
    }

    /// What the child prints with `--json` that the report needs.
    struct Outcome: Decodable {
        struct Fit: Decodable { var secondsPerFrame: Double? }
        var frames: Int
        var fit: Fit
    }

    public func run(progress: @escaping @Sendable (String) -> Void) throws -> AssimilationBenchmarkReport {
        try check()
        let store = try ScratchStore(name: "assimilate", progress: progress)
        defer { store.close() }
        try store.ingestSampleSubject(label: "bench", session: "1", mirror: options.atlasMirror, environment: environment,
                                      progress: progress)
        let sizes = options.neurons.sorted()
        let twins = try sizes.map { try prepareTwin(store, neurons: $0, progress: progress) }
        var lone: [String: Double] = [:]
        for (n, twin) in zip(sizes, twins) {
            let (_, _, peak) = try store.timedChild(executable, ["twin", "run", twin.0, "--seconds", "2", "--tr", "2", "--json"],
                                                    environment: environment.variables, progress: progress)
            lone[String(n)] = peak
        }
        var rows: [AssimilationBenchmarkRow] = [], perMember: [String: Double] = [:]
        for (n, (twin, measure, synapses)) in zip(sizes, twins) {
            for m in options.members.sorted() {
                progress("timing: dtb twin assimilate, M = \(m), N = \(n), \(options.frames) frames (child process)")
                let (output, _, peak) = try store.timedChild(executable, [
                    "twin", "assimilate", twin, "--run", String(measure), "--members", String(m), "--observation", "raw",
                    "--warmup", String(options.warmup), "--seed", String(m), "--json",
                ], environment: environment.variables, progress: progress)
                let outcome = try JSONStyle.decoder().decode(Outcome.self, from: output)
                let perFrame = outcome.fit.secondsPerFrame ?? .nan
                rows.append(AssimilationBenchmarkRow(members: m, neurons: n, synapses: synapses, frames: outcome.frames,
                                                     secondsPerFrame: perFrame,
                                                     memberNeuronUpdatesPerS: Double(m * n) * 2000 / perFrame, peakRssMB: peak))
            }
            let sized = rows.filter { $0.neurons == n }
            if let small = sized.first, let large = sized.last, large.members > small.members {
                perMember[String(n)] = (large.peakRssMB - small.peakRssMB) / Double(large.members - small.members)
            }
        }
        return AssimilationBenchmarkReport(rows: rows, loneTwinRssMB: lone, memoryPerMemberMB: perMember, machine: Machine.current())
    }

    func check() throws {
        guard !options.members.isEmpty, options.members.allSatisfy({ (2...TwinAssimilationRequest.maxMembers).contains($0) }) else {
            throw BenchmarkError("--members: give ensemble sizes from 2 to \(TwinAssimilationRequest.maxMembers)")
        }
        guard !options.neurons.isEmpty, options.neurons.allSatisfy({ (1000...2_000_000).contains($0) }) else {
            throw BenchmarkError("--neurons: give twin sizes from 1000 to 2000000")
        }
        guard (1...1000).contains(options.frames) else { throw BenchmarkError("--frames: give 1 to 1000 frames") }
        guard options.warmup.isFinite, (0...60).contains(options.warmup) else { throw BenchmarkError("--warmup: give 0 to 60 s") }
        if let k = options.degree { try BuildLimits.check(neurons: options.neurons.max()!, degree: k) }
    }

    /// A twin of N neurons with a rest run of its own ground truth, `frames` frames long (untimed).
    /// The twin's versions are its sizes (one twin per subject and atlas).
    func prepareTwin(_ store: ScratchStore, neurons: Int, progress: (String) -> Void) throws -> (String, Int, Int) {
        let database = store.database
        let k = options.degree ?? (neurons < 100_000 ? 25 : 100)
        progress("building the N = \(neurons), K = \(k) twin and its ground-truth run (untimed)")
        let build = try TwinRegistry(database: database).build(TwinBuildRequest(
            subject: "bench", atlas: Self.atlas, parameters: .init(neurons: neurons, meanInDegree: k, seed: 1)))
        let reference = TwinReference(twin: build.twin, version: build.version)
        let name = reference.description
        let truth = SampleRuns(network: try TwinRunner(database: database).network(reference))
        let run = SampleRuns.Run(session: "n\(neurons)", task: "rest", frames: options.frames, seed: 7)
        try truth.write(run, subject: "bench", atlas: Self.atlas, into: store.bids, threads: 2)
        _ = try SubjectIngester(database: database).ingest(root: store.bids)
        guard let measure = try TwinQueries(database: database).boldMeasures(twin: build.twin).last(where: { $0.session == run.session }) else {
            throw BenchmarkError("the ground-truth run of \(name) was not ingested")
        }
        return (name, measure.measure, build.synapses)
    }
}
