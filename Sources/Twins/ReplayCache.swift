import Foundation
import Hemodynamics

/// Replays simulated in this process, by everything that decides their BOLD, so that validating
/// one version against several runs of one length replays it once: a built version's replay does
/// not depend on the run it is compared with (the main job validates the built twin against its
/// rest and its task run). A few replays of frames × units values are kept.
final class ReplayCache: @unchecked Sendable {
    /// The process's cache.
    static let shared = ReplayCache()
    /// Replays kept, the most recent first.
    static let capacity = 4

    /// What a replay's BOLD depends on: the network (by digest), the hemodynamics, h(t) on which
    /// units, the seed and the timing.
    struct Key: Hashable {
        var networkDigest: String
        var bold: BalloonWindkesselParameters
        var kinds: [String]
        var fitted: [Int]
        var h: [[Double]]
        var seed: UInt64
        var repetitionTime: Double
        var warmupSeconds: Double
    }

    private let lock = NSLock()
    private var entries: [(key: Key, bold: [[Double]])] = []

    /// The replay's BOLD: kept from before, or made by `simulate` and kept.
    func bold(_ key: Key, simulate: () throws -> [[Double]]) rethrows -> [[Double]] {
        if let found = lock.withLock({ entries.first { $0.key == key }?.bold }) { return found }
        let bold = try simulate()
        lock.withLock {
            entries.removeAll { $0.key == key }
            entries.insert((key, bold), at: 0)
            if entries.count > Self.capacity { entries.removeLast() }
        }
        return bold
    }
}
