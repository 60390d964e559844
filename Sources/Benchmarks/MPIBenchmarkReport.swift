import Foundation

/// One configuration of `dtb bench mpi`; the per-rank lists are in rank order.
public struct MPIBenchmarkRow: Sendable, Codable, Equatable {
    public var ranks: Int
    public var threads: Int
    public var neurons: Int
    public var synapses: Int
    /// Rank 0's build time (its share of the synapses).
    public var buildSeconds: Double
    /// The timed run's wall time (the slowest rank's), and over biological time.
    public var wallSeconds: Double
    public var realTimeFactor: Double
    public var spikes: Int
    public var rateHz: Double
    /// Exchange windows (one per minimum delay) in the timed run.
    public var windows: Int
    /// Per rank: peak resident set, synapse tables held, the simulation's own state.
    public var peakRssMegabytes: [Double]
    public var synapseMegabytes: [Double]
    public var stateMegabytes: [Double]
    /// Per rank: seconds inside the exchange collectives (transfer plus waiting for slower ranks).
    public var waitSeconds: [Double]
    /// Per rank: bytes received from the other ranks per window (spikes and counts).
    public var bytesPerWindow: [Double]
}

/// Every configuration of one `dtb bench mpi`, with the machine.
public struct MPIBenchmarkReport: Sendable, Codable {
    public var simulator = "dtb"
    public var workload: String
    public var neurons: Int
    public var seconds: Double
    public var machine: Machine
    public var rows: [MPIBenchmarkRow]

    /// The figures as a text table (per-rank figures joined by `/`).
    public var table: String {
        func perRank(_ values: [Double], _ format: String, _ width: Int) -> String {
            let text = values.map { String(format: format, $0) }.joined(separator: "/")
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        var lines = ["dtb bench mpi — workload \(workload), N = \(neurons), \(seconds) s — \(machine.cpu), \(machine.cores) cores, load \(machine.loadAverage)",
                     "ranks×threads  wall s    RTF  rate Hz  windows  B/window/rank  wait s/rank  RSS MB/rank  synapses MB/rank  state MB/rank"]
        for r in rows {
            lines.append(String(format: "%5d×%-7d %7.2f %6.2f %8.2f %8d", r.ranks, r.threads, r.wallSeconds, r.realTimeFactor, r.rateHz,
                                r.windows)
                         + "  " + [perRank(r.bytesPerWindow, "%.0f", 13), perRank(r.waitSeconds, "%.2f", 11), perRank(r.peakRssMegabytes, "%.0f", 11),
                                   perRank(r.synapseMegabytes, "%.0f", 16), perRank(r.stateMegabytes, "%.0f", 13)].joined(separator: "  "))
        }
        if let spikes = Set(rows.map(\.spikes)).count == 1 ? rows.first?.spikes : nil {
            lines.append("every configuration fired the same \(spikes) spikes (the results do not depend on ranks × threads)")
        } else {
            lines.append("spikes differ between configurations: " + rows.map { "\($0.ranks)×\($0.threads): \($0.spikes)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
