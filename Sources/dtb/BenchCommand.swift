import ArgumentParser
import Foundation
import SpikingEngine
import Workloads

/// `dtb bench …`: benchmarks that print their figures.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run benchmarks and print their figures.",
        subcommands: [EngineBench.self, IngestBench.self, BuildBench.self])
}

/// `dtb bench engine`: the spiking engine on the shared COBA network or the DTB operating point.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time the spiking engine (build, warm-up untimed, then the timed run).",
        discussion: """
            coba: the shared benchmark network (../shared/peers/NETWORK.md), dt 0.1 ms.
            dtb:  the DTB operating point: dtb-2024 membrane, four channels, laminar columns, OU
                  background, K = 100, dt 1 ms.
            Every run is built with one partition per thread. Progress goes to stderr.
            """)

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case coba, dtb
    }

    @Option(help: "coba or dtb.") var workload: Workload = .coba
    @Option(parsing: .upToNextOption, help: "Network sizes (default coba: 10000 100000 1000000; dtb: 3000000).")
    var neurons: [Int] = []
    @Option(parsing: .upToNextOption, help: "Thread counts to run each size with.") var threads: [Int] = [1, 2]
    @Option(help: "Timed biological time (s).") var seconds: Double = 1
    @Option(help: "Untimed warm-up (ms).") var warmup: Double = 100
    @Option(help: "coba: Poisson drive per neuron (Hz).") var rate: Double = 2000
    @Option(help: "dtb: neurons per laminar column.") var neuronsPerUnit: Int = 30000
    @Option(help: "dtb: factor on the laminar AMPA and NMDA conductances.") var excitatoryScale: Double = 1
    @Option(help: "dtb: factor on the laminar GABAa and GABAb conductances.") var inhibitoryScale: Double = 3
    @Option(help: "Seed of every random draw.") var seed: UInt64 = 12345
    @Flag(help: "Print one JSON document instead of a table.") var json = false

    func run() throws {
        let sizes = neurons.isEmpty ? (workload == .coba ? [10_000, 100_000, 1_000_000] : [3_000_000]) : neurons
        var runs: [EngineRun] = []
        for n in sizes {
            for t in threads {
                let run = measure(neurons: n, threads: t)
                progress(String(format: "%@ N=%d threads=%d: %.2f s wall, RTF %.2f, %.2f Hz, %.1f M events/s",
                                workload.rawValue, n, t, run.simS, run.rtf, run.rateHz, run.eventsPerS / 1e6))
                runs.append(run)
            }
        }
        let report = EngineReport(workload: workload.rawValue, parameters: parameters, machine: Machine.current(),
                                  runs: runs, speedups: speedups(runs))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }

    /// The workload's settings beyond the network size, recorded with the figures.
    var parameters: [String: Double] {
        var p = ["seconds": seconds, "warmupMs": warmup, "seed": Double(seed)]
        switch workload {
        case .coba: p["poissonRateHz"] = rate
        case .dtb:
            p["neuronsPerUnit"] = Double(neuronsPerUnit)
            p["excitatoryScale"] = excitatoryScale
            p["inhibitoryScale"] = inhibitoryScale
        }
        return p
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

    func measure(neurons n: Int, threads t: Int) -> EngineRun {
        progress("\(workload.rawValue) N=\(n) threads=\(t): building")
        let start = Date()
        let network = builder(neurons: n).build(partitions: t)
        let simulation = Simulation(network: network)
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
            neurons: network.neuronCount, threads: t, synapses: network.synapseCount, dtMs: network.dt,
            buildS: buildS, simS: simS, rtf: simS / seconds, spikes: spikes,
            rateHz: Double(spikes) / Double(network.neuronCount) / seconds,
            events: events, eventsPerS: Double(events) / simS,
            updatesPerS: Double(network.neuronCount) * Double(steps) / simS,
            bytesPerSynapse: Double(network.synapseBytes) / Double(network.synapseCount),
            peakRssMB: Machine.peakRSSMegabytes(), phaseThreadSeconds: simulation.phaseTimes - phases0, models: models,
            backgrounds: Array(Set(network.populations.compactMap { $0.background?.name })).sorted())
    }

    func speedups(_ runs: [EngineRun]) -> [Speedup] {
        Dictionary(grouping: runs, by: \.neurons).keys.sorted().compactMap { n in
            let r = runs.filter { $0.neurons == n }
            guard let one = r.first(where: { $0.threads == 1 }), let two = r.first(where: { $0.threads == 2 }) else { return nil }
            return Speedup(neurons: n, oneToTwoThreads: one.simS / two.simS)
        }
    }

    func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// One timed run.
struct EngineRun: Codable {
    var neurons: Int
    var threads: Int
    var synapses: Int
    var dtMs: Double
    var buildS: Double
    var simS: Double
    var rtf: Double
    var spikes: Int
    var rateHz: Double
    var events: Int
    var eventsPerS: Double
    var updatesPerS: Double
    var bytesPerSynapse: Double
    /// Process peak so far (runs go in order of size, so it reflects the largest so far).
    var peakRssMB: Double
    /// The timed run's thread time per phase (delivery, applying, update), summed over threads.
    var phaseThreadSeconds: PhaseTimes
    var models: [NeuronModel]
    var backgrounds: [String]
}

struct Speedup: Codable {
    var neurons: Int
    var oneToTwoThreads: Double
}

struct EngineReport: Codable {
    var simulator = "dtb"
    var workload: String
    var parameters: [String: Double]
    var machine: Machine
    var runs: [EngineRun]
    var speedups: [Speedup]

    var table: String {
        var lines = ["dtb bench engine — workload \(workload) — \(machine.cpu), \(machine.cores) cores, load \(machine.loadAverage)",
                     "models: " + Array(Set(runs.flatMap { $0.models.map(\.name) })).sorted().joined(separator: ", "),
                     zip(["N", "threads", "build s", "wall s", "RTF", "spikes", "rate Hz", "events/s", "updates/s", "B/syn", "RSS MB"],
                         [10, 7, 9, 9, 8, 11, 8, 14, 14, 7, 9])
                        .map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: " ")]
        for r in runs {
            lines.append(String(format: "%10d %7d %9.2f %9.2f %8.2f %11d %8.2f %14.4g %14.4g %7.2f %9.0f",
                                r.neurons, r.threads, r.buildS, r.simS, r.rtf, r.spikes, r.rateHz,
                                r.eventsPerS, r.updatesPerS, r.bytesPerSynapse, r.peakRssMB))
        }
        for r in runs {
            let p = r.phaseThreadSeconds, total = max(p.delivery + p.applying + p.update, 1e-12)
            lines.append(String(format: "thread time at N=%d, %d thread%@: delivery %.0f %%, applying %.0f %%, update %.0f %%",
                                r.neurons, r.threads, r.threads == 1 ? "" : "s",
                                100 * p.delivery / total, 100 * p.applying / total, 100 * p.update / total))
        }
        for s in speedups { lines.append(String(format: "speed-up 1→2 threads at N=%d: %.2f×", s.neurons, s.oneToTwoThreads)) }
        return lines.joined(separator: "\n")
    }
}

/// The machine a benchmark ran on.
struct Machine: Codable {
    var cpu: String
    var cores: Int
    var loadAverage: String

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)) } ?? "unknown"
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "unknown"
        return Machine(cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount, loadAverage: load)
    }

    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
