/// How a network's neurons are shared over `ranks` processes of `threads` threads each: the
/// engine's canonical partition into ranks × threads partitions, rank r updating the `threads`
/// consecutive partitions from r × threads. Every partition is the one a single process with
/// ranks × threads threads would update, which is why the results do not depend on the plan.
public struct PartitionPlan: Sendable, Equatable, Codable {
    public let ranks: Int
    public let threads: Int

    public init(ranks: Int, threads: Int) {
        self.ranks = max(1, ranks); self.threads = max(1, threads)
    }

    /// Partitions of the whole network.
    public var partitions: Int { ranks * threads }

    /// The partitions rank `rank` updates.
    public func partitions(of rank: Int) -> Range<Int> { (rank * threads)..<((rank + 1) * threads) }
}
