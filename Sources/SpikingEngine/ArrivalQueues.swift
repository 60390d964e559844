// Spikes in flight. A spike's synapses that arrive after the next window wait as synaptic events
// (8 bytes each: target, weights, group — read from the row when the spike is delivered, while the
// row is at hand) in a queue per arrival step, so a member of an ensemble holds what is in flight,
// not a copy of the gating variables per step of delay, and an arrival is a sequential read.

/// One partition's synaptic events waiting to arrive, one queue per arrival step modulo
/// `maxDelay + 1` (every waiting arrival lies within `maxDelay` steps of the next window).
/// An event packs the target's float offset (bits 0–31), the two weight bytes (32–47) and the
/// group (48–55), as ``EventBins`` entries do.
final class ArrivalQueues: @unchecked Sendable {
    private let slots: Int
    private var storage: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    private var counts: UnsafeMutablePointer<Int>
    private var capacities: UnsafeMutablePointer<Int>

    init(maxDelay: Int) {
        slots = maxDelay + 1
        storage = .allocate(capacity: slots)
        counts = .allocate(capacity: slots)
        capacities = .allocate(capacity: slots)
        for s in 0..<slots {
            storage[s] = .allocate(capacity: 16)
            counts[s] = 0
            capacities[s] = 16
        }
    }

    deinit {
        for s in 0..<slots { storage[s].deallocate() }
        storage.deallocate(); counts.deallocate(); capacities.deallocate()
    }

    /// Queues event `e` to arrive at step `arrival`.
    @inline(__always)
    func push(_ e: UInt64, arrival: Int) {
        let s = arrival % slots
        if counts[s] == capacities[s] { grow(s) }
        storage[s][counts[s]] = e
        counts[s] += 1
    }

    private func grow(_ s: Int) {
        let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacities[s] * 2)
        bigger.moveInitialize(from: storage[s], count: counts[s])
        storage[s].deallocate()
        storage[s] = bigger
        capacities[s] *= 2
    }

    /// Queues, as events, the synapses of neuron `pre`'s spike emitted at step `emitted` (its row
    /// in `table`, segment by segment) that arrive at step `horizon` or later.
    @inline(__always)
    func queue(spikeOf pre: Int, emitted: Int, through table: SynapseTable, arrivingFrom horizon: Int) {
        for k in table.firstSegment[pre]..<table.firstSegment[pre + 1] {
            let arrival = emitted + Int(table.segmentDelay[k])
            guard arrival >= horizon else { continue }
            for i in table.segmentBound[k]..<table.segmentBound[k + 1] { push(table.event(i), arrival: arrival) }
        }
    }

    /// The events arriving at step `arrival`, in the order queued.
    @inline(__always)
    func waiting(_ arrival: Int) -> UnsafeBufferPointer<UInt64> {
        let s = arrival % slots
        return UnsafeBufferPointer(start: storage[s], count: counts[s])
    }

    /// The number of events arriving at step `arrival`.
    @inline(__always)
    func count(_ arrival: Int) -> Int { counts[arrival % slots] }

    /// Forgets the events of step `arrival` (after they were delivered).
    @inline(__always)
    func clear(_ arrival: Int) { counts[arrival % slots] = 0 }

    /// Forgets everything queued.
    func removeAll() { for s in 0..<slots { counts[s] = 0 } }

    /// Bytes held (the queues' capacities).
    var bytes: Int { (0..<slots).reduce(3 * slots * 8) { $0 + capacities[$1] * 8 } }
}

/// The spikes of the recent windows whose synapses may still be in flight, in canonical order:
/// what a snapshot stores so that a restored simulation (with any partitioning) queues them again.
struct EmissionHistory {
    /// Per window still held: its first step, its length, and its spikes (internal neuron, step in window).
    private(set) var windows: [(start: Int, length: Int, spikes: [Spike])] = []
    /// Emptied spike arrays of forgotten windows, reused: a run appends a window every step.
    private var spare: [[Spike]] = []

    /// Adds a window's spikes as they are delivered (a window without spikes leaves nothing in flight).
    mutating func append(start: Int, length: Int, _ buffers: [SpikeBuffer]) {
        guard buffers.contains(where: { $0.count > 0 }) else { return }
        var spikes = spare.popLast() ?? []
        for buffer in buffers { spikes.append(contentsOf: buffer.spikes) }
        windows.append((start, length, spikes))
    }

    /// Drops the windows none of whose synapses can arrive at `step` or later.
    mutating func forget(before step: Int, maxDelay: Int) {
        let stale = windows.prefix { $0.start + $0.length - 1 + maxDelay < step }.count
        guard stale > 0 else { return }
        for i in 0..<stale {
            // Swapped out, the array is uniquely held, so emptying it keeps its storage.
            var spikes: [Spike] = []
            swap(&spikes, &windows[i].spikes)
            spikes.removeAll(keepingCapacity: true)
            spare.append(spikes)
        }
        windows.removeFirst(stale)
    }

    /// Replaces the history (a restored snapshot's).
    mutating func replace(with windows: [(start: Int, length: Int, spikes: [Spike])]) { self.windows = windows }

    /// Bytes of the spikes held.
    var bytes: Int {
        (windows.map(\.spikes) + spare).reduce(0) { $0 + $1.capacity * MemoryLayout<Spike>.stride + 32 }
    }
}
