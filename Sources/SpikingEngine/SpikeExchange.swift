// Spike exchange between partitions. Every partition updates `minDelay` steps on its own, then all
// spikes of that window are exchanged once and delivered; in-process the exchange only lines up the
// partitions' buffers, and a distributed backend (one MPI rank per partition) would gather them.

/// A spike: the emitting neuron (internal index) and the step within its exchange window.
public struct Spike: Sendable, Equatable {
    public var neuron: UInt32
    public var step: UInt32

    public init(neuron: UInt32, step: UInt32) { self.neuron = neuron; self.step = step }
}

/// A growable spike list owned by one partition; appended to only by that partition's thread.
public final class SpikeBuffer: @unchecked Sendable {
    var storage: UnsafeMutablePointer<Spike>
    var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    func append(_ spike: Spike) {
        if count == capacity { grow() }
        storage[count] = spike
        count += 1
    }

    func grow() {
        let bigger = UnsafeMutablePointer<Spike>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }

    public func removeAll() { count = 0 }

    /// Replaces the contents with `spikes` (another process's partition, as exchanged).
    public func replace(with spikes: UnsafeBufferPointer<Spike>) {
        count = 0
        while capacity < spikes.count { grow() }
        if let base = spikes.baseAddress { storage.update(from: base, count: spikes.count) }
        count = spikes.count
    }

    /// Bytes of storage held (the capacity, not the spikes in it).
    public var bytes: Int { capacity * MemoryLayout<Spike>.stride }

    /// The spikes, valid until the next append or removal.
    public var spikes: UnsafeBufferPointer<Spike> { UnsafeBufferPointer(start: storage, count: count) }
}

/// Makes every partition's spikes of one window visible to every partition, in partition order
/// (the canonical order that keeps results independent of the partitioning).
public protocol SpikeExchange: AnyObject, Sendable {
    /// Called once per window, after all local partitions finished updating it. `local` holds one
    /// spike buffer per partition of the network: those of the partitions this process updates
    /// (``Network/localPartitions``) are filled, the others empty until a distributed exchange
    /// fills them with what other processes emitted. Returns the buffers of all partitions.
    func exchange(local: [SpikeBuffer]) -> [SpikeBuffer]
}

/// All partitions live in this process: nothing to send.
public final class InProcessExchange: SpikeExchange {
    public init() {}
    public func exchange(local: [SpikeBuffer]) -> [SpikeBuffer] { local }
}
