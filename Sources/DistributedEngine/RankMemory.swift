import Foundation

/// Memory of this rank, for the figures a distributed run reports per rank.
public enum RankMemory {
    /// This process's peak resident set so far (bytes).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
