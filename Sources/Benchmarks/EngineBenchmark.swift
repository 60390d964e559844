import Foundation
import Hemodynamics
import Recorders
import SpikingEngine
import Workloads

/// The spiking engine timed on the shared COBA network or the DTB operating point: build, an
/// untimed warm-up, then the timed run, for each size × thread count × observer set.
public struct EngineBenchmark: Sendable {
    /// The networks the benchmark can time.
    public enum Workload: String, Sendable, Codable, CaseIterable {
        /// The shared benchmark network (../shared/peers/NETWORK.md), dt 0.1 ms.
        case coba
        /// dtb-2024 membrane, four channels, laminar columns, OU background, K = 100, dt 1 ms.
        case dtb
    }

    /// What is attached to the simulation while it is timed.
    public enum Observers: String, Sendable, Codable, CaseIterable {
        /// Nothing: the engine's own spike totals only.
        case none
        /// Per-unit Balloon–Windkessel BOLD sampled every 2 s (what a twin run attaches).
        case bold
    }

    public var workload: Workload = .coba
    public var neurons: [Int] = []
    public var threads: [Int] = [1, 2]
    public var observers: [Observers] = [.none]
    /// Timed biological time (s) and untimed warm-up (ms).
    public var seconds: Double = 1
    public var warmup: Double = 100
    /// coba: Poisson drive per neuron (Hz).
    public var rate: Double = 2000
    /// dtb: neurons per laminar column and factors on its E and I conductances.
    public var neuronsPerUnit = 30000
    public var excitatoryScale: Double = 1
    public var inhibitoryScale: Double = 3
    public var seed: UInt64 = 12345

    public init() {}

    /// The sizes timed: the ones asked for, else the workload's defaults.
    public var sizes: [Int] { neurons.isEmpty ? (workload == .coba ? [10_000, 100_000, 1_000_000] : [3_000_000]) : neurons }

    /// Rejects settings the engine cannot run, with a one-line reason naming the option.
    public func validate() throws {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        // About 7 B per synapse at K = 100 plus the neuron state: what a network of N needs.
        let largest = Int(memory / 800)
        for n in sizes where !(1000...largest).contains(n) {
            throw BenchmarkError("--neurons \(n): give 1000 to \(largest) neurons (a larger network does not fit this machine's memory)")
        }
        for t in threads where !(1...256).contains(t) { throw BenchmarkError("--threads \(t): give 1 to 256 threads") }
        guard seconds.isFinite, seconds > 0, seconds <= 3600 else {
            throw BenchmarkError("--seconds \(seconds): give a timed biological time above 0 and at most 3600 s")
        }
        guard warmup.isFinite, warmup >= 0, warmup <= 3_600_000 else {
            throw BenchmarkError("--warmup \(warmup): give 0 to 3600000 ms")
        }
        guard rate.isFinite, rate >= 0, rate * 0.1 / 1000 <= 64 else {
            throw BenchmarkError("--rate \(rate): give a Poisson rate of 0 to 640000 Hz")
        }
        guard neuronsPerUnit >= 1000 else { throw BenchmarkError("--neurons-per-unit \(neuronsPerUnit): give at least 1000") }
        for (name, x) in [("--excitatory-scale", excitatoryScale), ("--inhibitory-scale", inhibitoryScale)] where !(x.isFinite && x >= 0 && x <= 1e6) {
            throw BenchmarkError("\(name) \(x): give a finite factor of 0 to 1e6")
        }
    }

    /// The workload's settings beyond the network size, recorded with the figures.
    public var parameters: [String: Double] {
        var p = ["seconds": seconds, "warmup_ms": warmup, "seed": Double(seed)]
        switch workload {
        case .coba: p["poisson_rate_hz"] = rate
        case .dtb:
            p["neurons_per_unit"] = Double(neuronsPerUnit)
            p["excitatory_scale"] = excitatoryScale
            p["inhibitory_scale"] = inhibitoryScale
        }
        return p
    }

    /// Validates, then times every size × threads × observers in turn; `progress` gets a line per step.
    public func run(progress: (String) -> Void) throws -> EngineReport {
        try validate()
        var runs: [EngineRun] = []
        for n in sizes {
            for t in threads {
                for o in observers {
                    let run = try measure(neurons: n, threads: t, observers: o, progress: progress)
                    progress(String(format: "%@ N=%d threads=%d observers=%@: %.2f s wall, RTF %.2f, %.2f Hz, %.1f M events/s",
                                    workload.rawValue, n, t, o.rawValue, run.simS, run.rtf, run.rateHz, run.eventsPerS / 1e6))
                    runs.append(run)
                }
            }
        }
        return EngineReport(workload: workload.rawValue, parameters: parameters, machine: Machine.current(),
                            runs: runs, speedups: Self.speedups(runs))
    }

    func builder(neurons n: Int) -> NetworkBuilder {
        switch workload {
        case .coba:
            return Workloads.coba(neurons: n, externalRate: rate, seed: seed)
        case .dtb:
            return Workloads.dtbLaminar(neurons: n, units: max(1, n / neuronsPerUnit),
                                        excitatoryScale: excitatoryScale, inhibitoryScale: inhibitoryScale, seed: seed)
        }
    }

    func measure(neurons n: Int, threads t: Int, observers: Observers, progress: (String) -> Void) throws -> EngineRun {
        progress("\(workload.rawValue) N=\(n) threads=\(t): building")
        let start = Date()
        let network = builder(neurons: n).build(partitions: t)
        let attached: [any SimulationObserver] = observers == .bold ? [try BOLDRecorder(network: network, repetitionTime: 2)] : []
        let simulation = Simulation(network: network, observers: attached)
        let buildS = Date().timeIntervalSince(start)
        progress(String(format: "  built in %.2f s: %d synapses, %.2f B/synapse; warm-up %.0f ms",
                        buildS, network.synapseCount, Double(network.synapseBytes) / Double(network.synapseCount), warmup))
        simulation.run(duration: warmup)
        let spikes0 = simulation.spikeTotals.reduce(0, +), events0 = simulation.synapticEvents
        let phases0 = simulation.phaseTimes
        let step0 = simulation.step
        let t0 = Date()
        simulation.run(duration: seconds * 1000)
        let simS = Date().timeIntervalSince(t0)
        let spikes = simulation.spikeTotals.reduce(0, +) - spikes0
        let events = simulation.synapticEvents - events0
        let steps = simulation.step - step0
        var models: [NeuronModel] = []
        for p in network.populations where !models.contains(p.model) { models.append(p.model) }
        return EngineRun(
            neurons: network.neuronCount, threads: t, observers: observers.rawValue, synapses: network.synapseCount,
            dtMs: network.dt, buildS: buildS, simS: simS, rtf: simS / seconds, spikes: spikes,
            rateHz: Double(spikes) / Double(network.neuronCount) / seconds,
            events: events, eventsPerS: Double(events) / simS,
            updatesPerS: Double(network.neuronCount) * Double(steps) / simS,
            bytesPerSynapse: Double(network.synapseBytes) / Double(network.synapseCount),
            simulationStateMB: Double(simulation.stateBytes) / 1e6,
            peakRssMB: Machine.peakRSSMegabytes(), phaseThreadSeconds: simulation.phaseTimes - phases0, models: models,
            backgrounds: Array(Set(network.populations.compactMap { $0.background?.name })).sorted())
    }

    static func speedups(_ runs: [EngineRun]) -> [Speedup] {
        Dictionary(grouping: runs, by: \.neurons).keys.sorted().compactMap { n in
            let r = runs.filter { $0.neurons == n && $0.observers == Observers.none.rawValue }
            guard let one = r.first(where: { $0.threads == 1 }), let two = r.first(where: { $0.threads == 2 }) else { return nil }
            return Speedup(neurons: n, oneToTwoThreads: one.simS / two.simS)
        }
    }
}

/// One timed run.
public struct EngineRun: Codable, Sendable {
    public var neurons: Int
    public var threads: Int
    /// What was attached while timing (``EngineBenchmark/Observers``).
    public var observers: String
    public var synapses: Int
    public var dtMs: Double
    public var buildS: Double
    public var simS: Double
    public var rtf: Double
    public var spikes: Int
    public var rateHz: Double
    public var events: Int
    public var eventsPerS: Double
    public var updatesPerS: Double
    public var bytesPerSynapse: Double
    /// The simulation's own state (what one more ensemble member of this network would cost).
    public var simulationStateMB: Double
    /// Process peak so far (runs go in order of size, so it reflects the largest so far).
    public var peakRssMB: Double
    /// The timed run's thread time per phase (delivery, applying, update), summed over threads.
    public var phaseThreadSeconds: PhaseTimes
    public var models: [NeuronModel]
    public var backgrounds: [String]
}

/// Wall time with one thread over wall time with two, at one size.
public struct Speedup: Codable, Sendable {
    public var neurons: Int
    public var oneToTwoThreads: Double
}

/// Every run of one `dtb bench engine`, with the machine and settings.
public struct EngineReport: Codable, Sendable {
    public var simulator = "dtb"
    public var workload: String
    public var parameters: [String: Double]
    public var machine: Machine
    public var runs: [EngineRun]
    public var speedups: [Speedup]

    /// The figures as a text table, then the phase split and speed-ups.
    public var table: String {
        var lines = ["dtb bench engine — workload \(workload) — \(machine.cpu), \(machine.cores) cores, load \(machine.loadAverage)",
                     "models: " + Array(Set(runs.flatMap { $0.models.map(\.name) })).sorted().joined(separator: ", "),
                     zip(["N", "threads", "observers", "build s", "wall s", "RTF", "spikes", "rate Hz", "events/s", "updates/s",
                          "B/syn", "state MB", "RSS MB"],
                         [10, 7, 9, 9, 9, 8, 11, 8, 14, 14, 7, 9, 9])
                        .map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: " ")]
        for r in runs {
            let observers = String(repeating: " ", count: max(0, 9 - r.observers.count)) + r.observers
            lines.append(String(format: "%10d %7d ", r.neurons, r.threads) + observers
                         + String(format: " %9.2f %9.2f %8.2f %11d %8.2f %14.4g %14.4g %7.2f %9.1f %9.0f", r.buildS, r.simS, r.rtf, r.spikes, r.rateHz,
                                r.eventsPerS, r.updatesPerS, r.bytesPerSynapse, r.simulationStateMB, r.peakRssMB))
        }
        for r in runs {
            let p = r.phaseThreadSeconds, total = max(p.delivery + p.applying + p.update, 1e-12)
            lines.append(String(format: "thread time at N=%d, %d thread%@, observers %@: delivery %.0f %%, applying %.0f %%, update %.0f %%",
                                r.neurons, r.threads, r.threads == 1 ? "" : "s", r.observers,
                                100 * p.delivery / total, 100 * p.applying / total, 100 * p.update / total))
        }
        for s in speedups { lines.append(String(format: "speed-up 1→2 threads at N=%d: %.2f×", s.neurons, s.oneToTwoThreads)) }
        return lines.joined(separator: "\n")
    }
}
