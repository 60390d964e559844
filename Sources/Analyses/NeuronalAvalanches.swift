/// Neuronal avalanches in binned spike counts (Beggs & Plenz 2003): an avalanche is a run of
/// consecutive bins with at least one spike, bounded by empty bins; its size is the number of
/// spikes in the run and its duration the number of bins. Runs that touch the first or the last
/// bin are left out, since their true start or end is not seen.
public struct NeuronalAvalanches: Sendable, Codable, Equatable {
    /// Each avalanche's spike count, in order of occurrence.
    public let sizes: [Int]
    /// Each avalanche's length in bins, in the same order.
    public let durations: [Int]
    /// The branching ratio σ = Σ n(t+1) / Σ n(t) over the bins t of the avalanches (n(t+1) = 0 at
    /// an avalanche's last bin): descendants per ancestor, Harris's estimator for a branching
    /// process observed one generation per bin; nil without avalanches. σ ≈ 1 at criticality.
    public let branchingRatio: Double?

    /// - Parameter counts: spikes per time bin (all neurons together); negative counts count as 0.
    public init(counts: [Int]) {
        var sizes: [Int] = [], durations: [Int] = []
        var ancestors = 0, descendants = 0
        var t = 0
        while t < counts.count {
            guard counts[t] > 0 else { t += 1; continue }
            let start = t
            while t < counts.count && counts[t] > 0 { t += 1 }
            guard start > 0, t < counts.count else { continue }
            let run = counts[start..<t]
            sizes.append(run.reduce(0, +))
            durations.append(t - start)
            ancestors += run.reduce(0, +)
            descendants += run.dropFirst().reduce(0, +)
        }
        self.sizes = sizes
        self.durations = durations
        branchingRatio = ancestors > 0 ? Double(descendants) / Double(ancestors) : nil
    }

    /// The counts of a frames × units table of spike counts, summed over units per frame.
    public init(counts table: [[Int]]) {
        self.init(counts: table.map { $0.reduce(0) { $0 + max(0, $1) } })
    }

    /// The mean size ⟨S⟩ of the avalanches of each duration T that occurs at least `minimumCount`
    /// times, by increasing T.
    public func meanSizeByDuration(minimumCount: Int = 1) -> [(duration: Int, meanSize: Double)] {
        var groups: [Int: [Int]] = [:]
        for (s, d) in zip(sizes, durations) { groups[d, default: []].append(s) }
        return groups.keys.sorted().compactMap { d in
            let group = groups[d]!
            return group.count >= minimumCount ? (d, Double(group.reduce(0, +)) / Double(group.count)) : nil
        }
    }
}
