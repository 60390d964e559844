import Foundation
import Hemodynamics

/// One process's members of an ensemble shared over several processes: the members it advances,
/// and the all-gather that brings every other member's BOLD state to it after each advance, so
/// that every process holds the whole ensemble's BOLD and computes the same analysis.
public struct MemberShare: Sendable {
    /// The members this process advances.
    public let local: Range<Int>
    /// The processes' members, in process order (consecutive blocks covering all members).
    public let blocks: [Range<Int>]
    /// This process, 0 ..< blocks.count.
    public let process: Int
    /// Every process's bytes in process order; every process calls it at the same point with its
    /// own. A failure there cannot be recovered from (the processes are out of step), so the
    /// implementation ends them all instead of returning.
    public let allGather: @Sendable ([UInt8]) -> [[UInt8]]

    /// Process `process`'s share of `members` members over `processes` processes.
    public init(members: Int, processes: Int, process: Int, allGather: @escaping @Sendable ([UInt8]) -> [[UInt8]]) {
        blocks = Self.blocks(members: members, processes: processes)
        local = blocks[process]
        self.process = process
        self.allGather = allGather
    }

    /// Members 0 ..< `members` in `processes` consecutive blocks, as even as they go.
    public static func blocks(members: Int, processes: Int) -> [Range<Int>] {
        (0..<processes).map { p in (members * p / processes)..<(members * (p + 1) / processes) }
    }

    /// A member's sampler state and latest sample as doubles: inputs taken, s f v q per unit,
    /// the window sums, the sample's length (0 before the first) and the sample.
    static func pack(_ state: BOLDSamplerState, latest: [Double], into out: inout [Double]) {
        out.append(Double(state.inputsTaken))
        for b in state.states { out += [b.s, b.f, b.v, b.q] }
        out += state.windowSum
        out.append(Double(latest.count))
        out += latest
    }

    /// The inverse of ``pack(_:latest:into:)`` for one member starting at `at` (advanced past it).
    static func unpack(_ values: ArraySlice<Double>, at: inout Int, units: Int, sums: Int) -> (BOLDSamplerState, [Double]) {
        let taken = Int(values[at])
        at += 1
        let states = (0..<units).map { u in
            BalloonState(s: values[at + 4 * u], f: values[at + 4 * u + 1], v: values[at + 4 * u + 2], q: values[at + 4 * u + 3])
        }
        at += 4 * units
        let windowSum = Array(values[at..<(at + sums)])
        at += sums
        let length = Int(values[at])
        let latest = Array(values[(at + 1)..<(at + 1 + length)])
        at += 1 + length
        return (BOLDSamplerState(states: states, inputsTaken: taken, windowSum: windowSum), latest)
    }
}
