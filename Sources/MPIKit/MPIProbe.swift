/// What `dtb mpi-check` reports: each collective run once over the world with values whose
/// results are known from the world's size alone, so a test can check them.
public struct MPIProbeReport: Sendable, Codable, Equatable {
    /// The world's size.
    public var ranks: Int
    /// All-gather of each rank's rank: 0, 1, …, ranks − 1.
    public var gatheredRanks: [Int64]
    /// All-gather(v) of rank r's r + 1 bytes of value r: 0, 1, 1, 2, 2, 2, …
    public var gatheredBytes: [UInt8]
    /// Rank 0's broadcast text as every rank received it (the same on all, checked).
    public var broadcast: String
    /// All-reduced sum of rank + 1: ranks (ranks + 1) / 2.
    public var sum: Int64
    /// All-reduced maximum of rank as a double: ranks − 1.
    public var maximum: Double
    /// Whether every rank received the same broadcast and gathers (all-reduced).
    public var agreed: Bool

    /// Runs the collectives once on `world` (every rank calls it).
    public static func run(on world: MPIWorld) throws -> MPIProbeReport {
        let ranks = try world.allGather([Int64(world.rank)])
        let mine = [UInt8](repeating: UInt8(truncatingIfNeeded: world.rank), count: world.rank + 1)
        let counts = (0..<world.size).map { $0 + 1 }
        var bytes = [UInt8](repeating: 0, count: counts.reduce(0, +))
        try mine.withUnsafeBytes { send in
            try bytes.withUnsafeMutableBytes { try world.allGather(send, counts: counts, into: $0.baseAddress!) }
        }
        let text = String(decoding: try world.broadcast(Array("from rank 0 of \(world.size)".utf8)), as: UTF8.self)
        let sum = try world.allReduce([Int64(world.rank + 1)], .sum)[0]
        let maximum = try world.allReduce([Double(world.rank)], .max)[0]
        let expected = "from rank 0 of \(world.size)"
        let local: Int64 = text == expected && ranks == (0..<world.size).map(Int64.init) ? 1 : 0
        try world.barrier()
        let agreed = try world.allReduce([local], .min)[0] == 1
        return MPIProbeReport(ranks: world.size, gatheredRanks: ranks, gatheredBytes: bytes, broadcast: text, sum: sum,
                              maximum: maximum, agreed: agreed)
    }
}
