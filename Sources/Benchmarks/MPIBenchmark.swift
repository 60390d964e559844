// `dtb bench mpi`: one network shared over MPI ranks against the same network on threads of one
// process. Every configuration runs as its own child process (under mpirun for several ranks),
// so that each one's memory is its own; a child measures and prints one JSON row on rank 0.
import DistributedEngine
import Foundation
import MPIKit
import SpikingEngine
import Store

/// The COBA network or the DTB operating point timed on ranks × threads.
public struct MPIBenchmark: Sendable {
    public var workload: EngineBenchmark.Workload = .coba
    /// Neurons; nil: 100,000 (coba) or 1,000,000 (dtb).
    public var neurons: Int?
    /// Timed biological time (s) and untimed warm-up (ms).
    public var seconds: Double = 1
    public var warmup: Double = 100
    public var seed: UInt64 = 12345
    /// The ranks × threads compared, each a child process.
    public var configurations: [Configuration] = [Configuration(ranks: 1, threads: 1), Configuration(ranks: 1, threads: 2),
                                                  Configuration(ranks: 2, threads: 1)]

    public init() {}

    /// Ranks × threads of one run.
    public struct Configuration: Sendable, Codable, Equatable {
        public var ranks: Int
        public var threads: Int
        public init(ranks: Int, threads: Int) { self.ranks = ranks; self.threads = threads }
    }

    /// The network size timed.
    public var size: Int { neurons ?? (workload == .coba ? 100_000 : 1_000_000) }

    /// The settings as `dtb bench mpi` takes them (what a child is given).
    func arguments(threads: Int) -> [String] {
        ["bench", "mpi", "--child", "--workload", workload.rawValue, "--neurons", String(size), "--seconds", String(seconds),
         "--warmup", String(warmup), "--seed", String(seed), "--threads", String(threads), "--json"]
    }

    /// Rejects settings the engine cannot run, with a one-line reason naming the option.
    public func validate() throws {
        var engine = EngineBenchmark()
        engine.workload = workload; engine.neurons = [size]; engine.seconds = seconds; engine.warmup = warmup
        engine.threads = configurations.map(\.threads)
        try engine.validate()
        for c in configurations where !(1...64).contains(c.ranks) { throw BenchmarkError("--configurations \(c.ranks)x\(c.threads): give 1 to 64 ranks") }
    }

    /// Runs every configuration as a child of `executable` (`mpirun` for several ranks) and
    /// collects their rows.
    public func run(executable: URL, progress: @escaping @Sendable (String) -> Void) throws -> MPIBenchmarkReport {
        try validate()
        var rows: [MPIBenchmarkRow] = []
        for c in configurations {
            progress("\(workload.rawValue) N=\(size): \(c.ranks) rank(s) × \(c.threads) thread(s)")
            let child = try Self.child(executable, arguments(threads: c.threads), ranks: c.ranks, progress: progress)
            let result = try child.run()
            guard result.status == 0, !result.signalled else {
                throw BenchmarkError("the \(c.ranks)-rank run failed (status \(result.status)): \(result.lastErrorLine)")
            }
            rows.append(try JSONStyle.decoder().decode(MPIBenchmarkRow.self, from: result.output))
        }
        return MPIBenchmarkReport(workload: workload.rawValue, neurons: size, seconds: seconds, machine: Machine.current(), rows: rows)
    }

    /// The child process of one configuration.
    static func child(_ executable: URL, _ arguments: [String], ranks: Int, progress: @escaping @Sendable (String) -> Void) throws -> ChildProcess {
        guard ranks > 1 else { return ChildProcess(executable, arguments, errorLines: progress) }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/mpirun" }
        guard let mpirun = path.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw BenchmarkError("--configurations with \(ranks) ranks: mpirun is not on PATH (scripts/setup.sh installs openmpi-bin)")
        }
        let launch = ["-np", String(ranks), "--oversubscribe"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
        return ChildProcess(URL(fileURLWithPath: mpirun), launch + [executable.path] + arguments, errorLines: progress)
    }

    /// One configuration in this process: the whole network on `threads` threads, or, under
    /// mpirun, this rank's share of ranks × threads partitions. Returns the row on rank 0 (or
    /// alone), nil on the other ranks.
    public func measure(world: MPIWorld?, threads: Int, progress: (String) -> Void) throws -> MPIBenchmarkRow? {
        var engine = EngineBenchmark()
        engine.workload = workload; engine.seed = seed
        let ranks = world?.size ?? 1, rank = world?.rank ?? 0
        let plan = PartitionPlan(ranks: ranks, threads: threads)
        let started = Date()
        let network = engine.builder(neurons: size).build(partitions: plan.partitions, local: plan.partitions(of: rank))
        guard network.partitions.count == plan.partitions else {
            throw BenchmarkError("--neurons \(size): too few 8-neuron blocks for \(plan.partitions) partitions")
        }
        let exchange = world.map { MPISpikeExchange(world: $0, plan: plan) }
        let simulation = Simulation(network: network, exchange: exchange ?? InProcessExchange())
        let buildS = Date().timeIntervalSince(started)
        progress(String(format: "  rank %d built in %.2f s: %d synapses here; warm-up %.0f ms", rank, buildS, network.synapseCount, warmup))
        simulation.run(duration: warmup)
        let spikes0 = simulation.spikeTotals.reduce(0, +)
        let (bytes0, wait0, step0) = (exchange?.bytesReceived ?? 0, exchange?.waitSeconds ?? 0, simulation.step)
        try world?.barrier()
        let t0 = Date()
        simulation.run(duration: seconds * 1000)
        let wall = try world.map { try $0.allReduce([Date().timeIntervalSince(t0)], .max)[0] } ?? Date().timeIntervalSince(t0)
        let windows = (simulation.step - step0 + network.minDelay - 1) / network.minDelay
        let mine = [Double(RankMemory.peakResidentBytes()) / 1e6, Double(network.synapseBytes) / 1e6, Double(simulation.stateBytes) / 1e6,
                    (exchange?.waitSeconds ?? 0) - wait0, Double((exchange?.bytesReceived ?? 0) - bytes0) / Double(max(1, windows))]
        let all = try world.map { w in try w.allGather(bytes: mine.withUnsafeBytes { Array($0) }).map(Self.doubles) } ?? [mine]
        let synapses = try world.map { try Int($0.allReduce([Int64(network.synapseCount)], .sum)[0]) } ?? network.synapseCount
        guard rank == 0 else { return nil }
        let spikes = simulation.spikeTotals.reduce(0, +) - spikes0
        return MPIBenchmarkRow(ranks: ranks, threads: threads, neurons: network.neuronCount, synapses: synapses, buildSeconds: buildS,
                               wallSeconds: wall, realTimeFactor: wall / seconds, spikes: spikes,
                               rateHz: Double(spikes) / Double(network.neuronCount) / seconds, windows: windows,
                               peakRssMegabytes: all.map { $0[0] }, synapseMegabytes: all.map { $0[1] }, stateMegabytes: all.map { $0[2] },
                               waitSeconds: all.map { $0[3] }, bytesPerWindow: all.map { $0[4] })
    }

    static func doubles(_ bytes: [UInt8]) -> [Double] {
        var values = [Double](repeating: 0, count: bytes.count / MemoryLayout<Double>.stride)
        values.withUnsafeMutableBytes { $0.copyBytes(from: bytes.prefix($0.count)) }
        return values
    }
}
