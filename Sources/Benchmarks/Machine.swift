import Foundation

/// The machine a benchmark ran on, recorded with its figures.
public struct Machine: Sendable, Codable, Equatable {
    /// The CPU's model name (`/proc/cpuinfo`).
    public var cpu: String
    public var cores: Int
    /// The 1, 5 and 15 minute load averages when the figures were taken.
    public var loadAverage: String

    /// This machine now.
    public static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)) } ?? "unknown"
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "unknown"
        return Machine(cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount, loadAverage: load)
    }

    /// This process's peak resident set so far (MB).
    public static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
