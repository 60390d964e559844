import Foundation
import Services
import Store

/// `dtb bench build`'s options.
public struct BuildBenchmarkOptions: Sendable {
    public var neurons = 1_000_000
    /// Mean in-degree K.
    public var degree = 100.0
    public var seed: UInt64 = 1
    /// Atlas mirror; nil: the environment's default.
    public var atlasMirror: URL?

    public init() {}
}

/// The figures of one build benchmark (`dtb bench build --json`).
public struct BuildBenchmarkReport: Sendable, Encodable {
    public var tool = "dtb twin build"
    public var neurons: Int
    public var degree: Double
    public var units: Int
    public var synapses: Int
    public var wallS: Double
    public var synapsesPerS: Double
    /// The timed child's.
    public var peakRssMB: Double
    public var bytesPerSynapseRSS: Double
    /// Size of each SONATA file, by role.
    public var fileMB: [String: Double]
    public var machine: Machine
}

/// `dtb twin build` of the sample subject on Brainnetome-246, timed.
///
/// Self-contained: a scratch PostgreSQL cluster and data home in a temporary folder, the atlas
/// imported and the sample subject written and ingested there (untimed), then `dtb twin build`
/// run as a child process (timed: reading the records, drawing every synapse, writing and
/// checksumming the SONATA files, the version's transaction). Peak RSS is the child's.
public struct BuildBenchmark {
    public let options: BuildBenchmarkOptions
    /// The `dtb` executable to time.
    public let executable: URL
    public let environment: ServiceEnvironment

    static let atlas = "brainnetome246"

    public init(options: BuildBenchmarkOptions, executable: URL, environment: ServiceEnvironment) {
        self.options = options; self.executable = executable; self.environment = environment
    }

    /// What the child prints with `--json` that the report needs.
    struct Outcome: Decodable {
        struct File: Decodable { var role: String; var sizeBytes: Int }
        var synapses: Int
        var files: [File]
    }

    /// Checks the options (as `twin build` would), then sets up, times and reports.
    public func run(progress: @escaping @Sendable (String) -> Void) throws -> BuildBenchmarkReport {
        try BuildLimits.check(neurons: options.neurons, degree: options.degree)
        let store = try ScratchStore(name: "build", progress: progress)
        defer { store.close() }
        try store.ingestSampleSubject(label: "sample", mirror: options.atlasMirror, environment: environment, progress: progress)
        progress("timing: dtb twin build sample --neurons \(options.neurons) --degree \(options.degree) (child process)")
        let (output, wall, peak) = try store.timedChild(executable, [
            "twin", "build", "sample", "--atlas", Self.atlas, "--neurons", String(options.neurons),
            "--degree", String(options.degree), "--seed", String(options.seed), "--json",
        ], environment: environment.variables, progress: progress)
        let outcome = try JSONStyle.decoder().decode(Outcome.self, from: output)
        return BuildBenchmarkReport(neurons: options.neurons, degree: options.degree, units: 246, synapses: outcome.synapses,
                                    wallS: wall, synapsesPerS: Double(outcome.synapses) / wall, peakRssMB: peak,
                                    bytesPerSynapseRSS: peak * 1_048_576 / Double(max(1, outcome.synapses)),
                                    fileMB: Dictionary(uniqueKeysWithValues: outcome.files.map { ($0.role, Double($0.sizeBytes) / 1e6) }),
                                    machine: Machine.current())
    }
}
