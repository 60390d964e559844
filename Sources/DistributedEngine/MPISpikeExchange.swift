// Spikes between ranks: once per window (the minimum delay) every rank all-gathers every other
// rank's spikes, partition by partition, so each rank delivers all of them in canonical order.
import Dispatch
import Foundation
import MPIKit
import SpikingEngine

/// A ``SpikeExchange`` over MPI: per window, an all-gather of the spike counts of every
/// partition, then an all-gather(v) of the spikes themselves (8 bytes each) into the buffers of
/// the partitions other ranks update. Every rank must exchange every window, as the engine does.
public final class MPISpikeExchange: SpikeExchange, @unchecked Sendable {
    public let world: MPIWorld
    public let plan: PartitionPlan
    /// Windows exchanged so far.
    public private(set) var windows = 0
    /// Bytes this rank received from the others so far (spikes and counts).
    public private(set) var bytesReceived = 0
    /// Seconds spent inside the collectives: the transfer and the wait for slower ranks.
    public private(set) var waitSeconds = 0.0
    private var send: [Spike] = []
    private var receive: [Spike] = []

    /// The exchange of `world`'s rank under `plan` (`plan.ranks` must be the world's size).
    public init(world: MPIWorld, plan: PartitionPlan) {
        self.world = world; self.plan = plan
    }

    public func exchange(local buffers: [SpikeBuffer]) -> [SpikeBuffer] {
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            try gather(into: buffers)
        } catch {
            // A collective that fails leaves the ranks out of step: end every rank, with one line.
            FileHandle.standardError.write(Data("dtb: rank \(world.rank): spike exchange failed: \(error)\n".utf8))
            world.abort(code: 1)
        }
        waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        windows += 1
        return buffers
    }

    private func gather(into buffers: [SpikeBuffer]) throws {
        let mine = plan.partitions(of: world.rank)
        send.removeAll(keepingCapacity: true)
        for p in mine { send.append(contentsOf: buffers[p].spikes) }
        let counts = try world.allGather(mine.map { Int64(buffers[$0].count) })
        let total = counts.reduce(0, +)
        let perRank = (0..<plan.ranks).map { r in plan.partitions(of: r).reduce(0) { $0 + Int(counts[$1]) } }
        if receive.count < max(1, Int(total)) { receive = [Spike](repeating: Spike(neuron: 0, step: 0), count: max(1, Int(total))) }
        let stride = MemoryLayout<Spike>.stride
        try send.withUnsafeBytes { sendBytes in
            try receive.withUnsafeMutableBytes { receiveBytes in
                try world.allGather(sendBytes, counts: perRank.map { $0 * stride }, into: receiveBytes.baseAddress!)
            }
        }
        receive.withUnsafeBufferPointer { all in
            var offset = 0
            for p in 0..<plan.partitions {
                let count = Int(counts[p])
                if !mine.contains(p) { buffers[p].replace(with: UnsafeBufferPointer(rebasing: all[offset..<(offset + count)])) }
                offset += count
            }
        }
        bytesReceived += (Int(total) - send.count) * stride + (plan.partitions - mine.count) * 8
    }
}
