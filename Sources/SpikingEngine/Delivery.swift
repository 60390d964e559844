// Spike delivery: each partition walks every spike of the last window (in canonical order) through
// its own synapse rows, one delay segment at a time. A segment that arrives in the next window is
// added now — straight into J for the window's first step, into the window's arrival slot
// otherwise — after the segments of earlier windows that arrive then; a later one waits in the
// partition's ``ArrivalQueues``. Per target element the additions come in emission order, as if
// every spike's synapses had been added to their arrival steps when it was emitted.

struct WindowDelivery {
    let state: StatePointers
    let table: SynapseTable
    let groups: UnsafeBufferPointer<CompiledGroup>
    let queues: ArrivalQueues
    /// First step and length of the window the spikes were emitted in.
    let emittedStart: Int
    let emittedLength: Int
    /// Length of the window about to be updated (it starts at `emittedStart + emittedLength`).
    let upcomingLength: Int
    let dirty: UnsafeMutablePointer<Bool>

    var next: Int { emittedStart + emittedLength }

    /// The gating layout an arrival at step `arrival` of the next window is added to: J for its
    /// first step (the update reads J first), else that step's slot (marked to be read).
    @inline(__always)
    func destination(_ arrival: Int, fromPendingWindow: Bool) -> UnsafeMutablePointer<Float> {
        if arrival == next && fromPendingWindow { return state.j }
        let slot = arrival % state.arrivalSlots
        dirty[slot] = true
        return state.arrivals + slot * state.slotSize
    }

    /// Adds every synapse arriving in the next window to its target: the segments of earlier
    /// windows waiting for those steps, then those of `buffers`' spikes.
    func deliverArriving(_ buffers: [SpikeBuffer]) {
        for o in 0..<upcomingLength {
            let base = queues.count(next + o) > 0 ? destination(next + o, fromPendingWindow: false) : state.j
            for e in queues.waiting(next + o) { add(event: e, into: base) }
        }
        let horizon = next + upcomingLength
        for buffer in buffers {
            for spike in buffer.spikes {
                let emitted = emittedStart + Int(spike.step), pre = Int(spike.neuron)
                for k in table.firstSegment[pre]..<table.firstSegment[pre + 1] {
                    let arrival = emitted + Int(table.segmentDelay[k])
                    if arrival < horizon { add(k, into: destination(arrival, fromPendingWindow: true)) }
                }
            }
        }
    }

    /// Empties the queues of the next window's steps and queues the segments of `buffers`' spikes
    /// that arrive later; returns the number of synapses of those spikes (all their segments).
    func schedule(_ buffers: [SpikeBuffer]) -> Int {
        for o in 0..<upcomingLength { queues.clear(next + o) }
        let horizon = next + upcomingLength
        var events = 0
        for buffer in buffers {
            for spike in buffer.spikes {
                let emitted = emittedStart + Int(spike.step), pre = Int(spike.neuron)
                events += table.rowStart[pre + 1] - table.rowStart[pre]
                queues.queue(spikeOf: pre, emitted: emitted, through: table, arrivingFrom: horizon)
            }
        }
        return events
    }

    /// Adds one queued event to the gating layout at `base`.
    @inline(__always)
    func add(event e: UInt64, into base: UnsafeMutablePointer<Float>) {
        let c = groups[Int(UInt8(truncatingIfNeeded: e >> 48))]
        let b = base + Int(UInt32(truncatingIfNeeded: e))
        let w = UInt16(truncatingIfNeeded: e >> 32)
        b[c.offsetA] += Float(w & 0xFF) * c.scaleA
        if c.twoChannels { b[c.offsetB] += Float(w >> 8) * c.scaleB }
    }

    /// Adds the synapses of segment `k` (one group) to the gating layout at `base`.
    @inline(__always)
    func add(_ k: Int, into base: UnsafeMutablePointer<Float>) {
        let target = table.target, weight = table.weight
        let lo = table.segmentBound[k], hi = table.segmentBound[k + 1]
        let c = groups[Int(table.group[lo])]
        let a = base + c.offsetA, scaleA = c.scaleA
        guard c.twoChannels else {
            for i in lo..<hi { a[Int(target[i])] += Float(weight[i] & 0xFF) * scaleA }
            return
        }
        let b = base + c.offsetB, scaleB = c.scaleB
        for i in lo..<hi {
            let t = Int(target[i]), w = weight[i]
            a[t] += Float(w & 0xFF) * scaleA
            b[t] += Float(w >> 8) * scaleB
        }
    }
}

/// How a ``Simulation`` applies a window's synaptic events to their targets.
public enum SpikeDelivery: String, Sendable, Codable {
    /// Binned when a partition's gating variables outgrow the caches, direct otherwise.
    case automatic
    /// Each event added straight into its target's gating variable.
    case direct
    /// Events sorted into per-chunk bins and applied chunk by chunk just before the update.
    case binned
}

/// Where the binned events of one (emission step, group) land: the first channel of the gating
/// layout they go to (J or an arrival slot), the second channel's distance from it, and the scales.
/// One record per event's index, so applying an event takes a single look-up.
struct BinTarget {
    var first: UnsafeMutablePointer<Float>
    var second: Int
    var scaleA: Float
    var scaleB: Float
    var twoChannels: Bool
}

/// One partition's synapse events of the last window, sorted (stably, into fixed slots per chunk) into chunks of
/// `chunkBlocks` 8-neuron blocks, so that each chunk's additions are applied just before that chunk
/// is updated, while its gating variables are in cache. Per target element the additions keep the
/// canonical order of `WindowDelivery.deliverArriving`, so results are bit-identical to delivering directly.
final class EventBins: @unchecked Sendable {
    /// Blocks per chunk (a multiple of the random-number tile, `WindowUpdate.tileBlocks`). 16,384 neurons: a chunk's
    /// gating variables (256 KiB with four channels) stay in a core's L2 for the scattered additions,
    /// and there are few enough bins that binning writes to a few hundred streams, not thousands.
    static let chunkBlocks = 2048
    /// Below this size of a partition's gating variables (about where they stop fitting in the
    /// caches here: a 1 MiB L2 per core, a shared 32 MiB L3) direct delivery is faster.
    static let minimumGatingBytes = 4 << 20
    /// Global index of the partition's first chunk and the number of chunks.
    let firstChunk: Int
    let chunks: Int
    /// log2 of the floats per chunk in the gating layout.
    let shift: Int
    /// After `bin`, the end of chunk k's events.
    let end: UnsafeMutablePointer<Int>
    var entries: UnsafeMutablePointer<UInt64>
    /// Slots per chunk: chunk k's events are `k·perChunk ..< end[k]`.
    var perChunk = 64
    /// Per (emission step, group), as in `deliver`: where its events land and with what scales.
    var targets: [BinTarget] = []
    /// Whether there are binned events to apply this window.
    var active = false
    /// Keep the prefetching sweep in `apply` and the row touches in `bin` from being optimised away.
    var sink: Float = 0
    var touched: UInt32 = 0

    init(blocks: Range<Int>, channelStride: Int) {
        firstChunk = blocks.lowerBound / Self.chunkBlocks
        chunks = max(1, (blocks.upperBound - 1) / Self.chunkBlocks - firstChunk + 1)
        shift = (Self.chunkBlocks * 8 * channelStride).trailingZeroBitCount
        end = .allocate(capacity: chunks + 1)
        end.initialize(repeating: 0, count: chunks + 1)
        entries = allocateLarge(UInt64.self, count: perChunk * chunks)
    }

    deinit { end.deallocate(); deallocateLarge(entries) }

    /// Bytes of storage held (the bins grow to the busiest window seen).
    var bytes: Int { (chunks + 1) * MemoryLayout<Int>.stride + perChunk * chunks * MemoryLayout<UInt64>.stride }

    /// Events of chunk `k` (local index).
    @inline(__always)
    func range(_ k: Int) -> Range<Int> { (k * perChunk)..<end[k] }

    /// Adds chunk `k`'s events to their gating variables / arrival slots.
    @inline(__always)
    func apply(chunk k: Int, j: UnsafeMutablePointer<Float>, jCount: Int) {
        let r = range(k)
        guard !r.isEmpty else { return }
        // Touch the chunk's gating variables in order first: a sequential sweep is prefetched by
        // the hardware, the scattered additions below would each wait for memory.
        let lo = (firstChunk + k) << shift, hi = min(jCount, (firstChunk + k + 1) << shift)
        var touched: Float = 0
        for i in stride(from: lo, to: hi, by: 16) { touched += j[i] }
        sink = touched
        targets.withUnsafeBufferPointer { targets in
            for i in r {
                let e = entries[i]
                let t = targets[Int(e >> 48)]
                let w = UInt16(truncatingIfNeeded: e >> 32)
                let first = t.first + Int(UInt32(truncatingIfNeeded: e))
                first[0] += Float(w & 0xFF) * t.scaleA
                if t.twoChannels { first[t.second] += Float(w >> 8) * t.scaleB }
            }
        }
    }
}

extension WindowDelivery {
    /// Whether `bin` can encode this window's destinations (16-bit index).
    var canBin: Bool { (emittedLength + upcomingLength) * groups.count <= 1 << 16 }

    /// Sorts every synapse arriving in the next window (as ``deliverArriving(_:)`` adds them) into
    /// `bins` by target chunk; nothing is added yet. Destination index: (emission step, group)
    /// for `buffers`' spikes, then (emittedLength + arrival offset, group) for waiting segments.
    func bin(_ buffers: [SpikeBuffer], into bins: EventBins) {
        let groupCount = groups.count
        var targets: [BinTarget] = []
        targets.reserveCapacity((emittedLength + upcomingLength) * groupCount)
        func target(_ destination: UnsafeMutablePointer<Float>, _ group: CompiledGroup) -> BinTarget {
            BinTarget(first: destination + group.offsetA, second: group.offsetB - group.offsetA,
                      scaleA: group.scaleA, scaleB: group.scaleB, twoChannels: group.twoChannels)
        }
        let horizon = next + upcomingLength
        for s in 0..<emittedLength {
            for group in groups {
                let arrival = emittedStart + s + group.delaySteps
                targets.append(target(arrival < horizon ? destination(arrival, fromPendingWindow: true) : state.j, group))
            }
        }
        for o in 0..<upcomingLength {
            let base = queues.count(next + o) > 0 ? destination(next + o, fromPendingWindow: false) : state.j
            for group in groups { targets.append(target(base, group)) }
        }
        bins.targets = targets
        bins.active = false
        var events = 0
        for o in 0..<upcomingLength {
            events += queues.count(next + o)
        }
        for buffer in buffers {
            for spike in buffer.spikes { events += table.rowStart[Int(spike.neuron) + 1] - table.rowStart[Int(spike.neuron)] }
        }
        guard events > 0 else { return }
        let chunks = bins.chunks
        let wanted = max(64, 2 * events / chunks)
        if wanted > bins.perChunk {
            deallocateLarge(bins.entries)
            bins.perChunk = max(wanted, bins.perChunk * 2)
            bins.entries = allocateLarge(UInt64.self, count: bins.perChunk * chunks)
        }
        for k in 0..<chunks { bins.end[k] = k * bins.perChunk }
        // One pass: each chunk has `perChunk` slots; if one overflows, the window is delivered
        // directly instead (nothing binned has been added yet) and the slots grow for the next.
        var fits = true
        for o in 0..<upcomingLength where fits {
            let index = UInt64((emittedLength + o) * groupCount) << 48
            for e in queues.waiting(next + o) where fits { fits = binEvent(e, index, bins) }
        }
        var touched: UInt32 = 0
        for buffer in buffers where fits {
            let spikes = buffer.spikes, batch = Self.touchBatch
            touched ^= touchRows(spikes, 0..<min(batch, spikes.count))
            for (n, spike) in spikes.enumerated() where fits {
                if n % batch == 0 && n + batch < spikes.count {
                    touched ^= touchRows(spikes, (n + batch)..<min(n + 2 * batch, spikes.count))
                }
                let pre = Int(spike.neuron), emitted = emittedStart + Int(spike.step)
                let index = UInt64(Int(spike.step) * groupCount) << 48
                for k in table.firstSegment[pre]..<table.firstSegment[pre + 1] where fits {
                    if emitted + Int(table.segmentDelay[k]) < horizon { fits = binSegment(k, index, bins) }
                }
            }
        }
        guard fits else {
            bins.perChunk *= 2
            deallocateLarge(bins.entries)
            bins.entries = allocateLarge(UInt64.self, count: bins.perChunk * bins.chunks)
            return deliverArriving(buffers)
        }
        bins.touched = touched
        bins.active = true
    }

    /// Bins one queued event with destination index `index` (pre-shifted); false when its chunk's slots are full.
    @inline(__always)
    func binEvent(_ e: UInt64, _ index: UInt64, _ bins: EventBins) -> Bool {
        let t = UInt32(truncatingIfNeeded: e)
        let c = (Int(t) >> bins.shift) - bins.firstChunk
        let at = bins.end[c]
        guard at < (c + 1) * bins.perChunk else { return false }
        bins.end[c] = at + 1
        bins.entries[at] = (e & 0xFFFF_FFFF_FFFF) | (index + (e >> 48) << 48)
        return true
    }

    /// Bins the synapses of segment `k` with destination index `index` (pre-shifted); false when
    /// a chunk's slots are full.
    @inline(__always)
    func binSegment(_ k: Int, _ index: UInt64, _ bins: EventBins) -> Bool {
        let target = table.target, weight = table.weight, group = table.group
        let end = bins.end, shift = bins.shift, first = bins.firstChunk, perChunk = bins.perChunk, entries = bins.entries
        for i in table.segmentBound[k]..<table.segmentBound[k + 1] {
            let t = target[i]
            let c = (Int(t) >> shift) - first
            let at = end[c]
            guard at < (c + 1) * perChunk else { return false }
            end[c] = at + 1
            entries[at] = UInt64(t) | UInt64(weight[i]) << 32 | (index + UInt64(group[i]) << 48)
        }
        return true
    }

    /// Spikes whose synapse rows are touched together, one batch ahead of the binning loop.
    static let touchBatch = 16

    /// Reads one word of every cache line of the synapse rows of `spikes[range]`. The rows are
    /// scattered over the whole table, so the binning loop would wait on each row's first lines in
    /// turn; these loads are independent of each other and of the binning, so a batch of rows
    /// comes in from memory in about the time of one (Swift has no prefetch instruction). Returns
    /// the words combined, to keep the loads.
    @inline(__always)
    func touchRows(_ spikes: UnsafeBufferPointer<Spike>, _ range: Range<Int>) -> UInt32 {
        let rowStart = table.rowStart, target = table.target, weight = table.weight, group = table.group
        var x: UInt32 = 0
        for n in range {
            let pre = Int(spikes[n].neuron)
            let lo = rowStart[pre], hi = rowStart[pre + 1]
            guard lo < hi else { continue }
            x ^= target[hi - 1] ^ UInt32(weight[hi - 1]) ^ UInt32(group[hi - 1])
            for i in stride(from: lo, to: hi, by: 64 / MemoryLayout<UInt32>.stride) { x ^= target[i] }
            for i in stride(from: lo, to: hi, by: 64 / MemoryLayout<UInt16>.stride) { x ^= UInt32(weight[i]) }
            for i in stride(from: lo, to: hi, by: 64) { x ^= UInt32(group[i]) }
        }
        return x
    }
}
