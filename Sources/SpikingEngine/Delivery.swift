// Spike delivery: each partition walks every spike of the last window (in canonical order) through
// its own synapse rows and adds the weights to its neurons' gating variables — straight into J for
// the first step of the next window, into the per-delay ring slot otherwise.

struct WindowDelivery {
    let state: StatePointers
    let table: SynapseTable
    let groups: UnsafeBufferPointer<CompiledGroup>
    /// First step and length of the window the spikes were emitted in.
    let emittedStart: Int
    let emittedLength: Int
    let dirty: UnsafeMutablePointer<Bool>

    /// Adds every synapse of every spike in `buffers` to this partition's gating inputs; returns
    /// the number of synapses delivered.
    func deliver(_ buffers: [SpikeBuffer]) -> Int {
        let next = emittedStart + emittedLength
        // Destination base per (emission step, group): precomputed so the synapse loop does no
        // modulo arithmetic.
        var destinations = [UnsafeMutablePointer<Float>](repeating: state.j, count: emittedLength * groups.count)
        for s in 0..<emittedLength {
            for (g, group) in groups.enumerated() {
                let arrival = emittedStart + s + group.delaySteps
                if arrival != next {
                    let slot = arrival % state.ringSlots
                    dirty[slot] = true
                    destinations[s * groups.count + g] = state.ring + slot * state.slotSize
                }
            }
        }
        let rowStart = table.rowStart, target = table.target, weight = table.weight, group = table.group
        let groupCount = groups.count
        var events = 0
        destinations.withUnsafeBufferPointer { destinations in
            for buffer in buffers {
                for spike in buffer.spikes {
                    let pre = Int(spike.neuron)
                    let row = destinations.baseAddress! + Int(spike.step) * groupCount
                    events += rowStart[pre + 1] - rowStart[pre]
                    for i in rowStart[pre]..<rowStart[pre + 1] {
                        let g = Int(group[i])
                        let c = groups[g]
                        let base = row[g] + Int(target[i])
                        let w = weight[i]
                        base[c.offsetA] += Float(w & 0xFF) * c.scaleA
                        if c.twoChannels { base[c.offsetB] += Float(w >> 8) * c.scaleB }
                    }
                }
            }
        }
        return events
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
/// layout they go to (J or a ring slot), the second channel's distance from it, and the scales.
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
/// canonical order of `WindowDelivery.deliver`, so results are bit-identical to delivering directly.
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

    /// Adds chunk `k`'s events to their gating variables / ring slots.
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
    var canBin: Bool { emittedLength * groups.count <= 1 << 16 }

    /// Sorts every synapse of every spike in `buffers` into `bins` by target chunk (nothing is
    /// added yet); returns the number of synapses.
    func bin(_ buffers: [SpikeBuffer], into bins: EventBins) -> Int {
        let next = emittedStart + emittedLength
        let groupCount = groups.count
        var targets: [BinTarget] = []
        targets.reserveCapacity(emittedLength * groupCount)
        for s in 0..<emittedLength {
            for group in groups {
                var destination = state.j
                let arrival = emittedStart + s + group.delaySteps
                if arrival != next {
                    let slot = arrival % state.ringSlots
                    dirty[slot] = true
                    destination = state.ring + slot * state.slotSize
                }
                targets.append(BinTarget(first: destination + group.offsetA, second: group.offsetB - group.offsetA,
                                         scaleA: group.scaleA, scaleB: group.scaleB, twoChannels: group.twoChannels))
            }
        }
        bins.targets = targets
        let rowStart = table.rowStart, target = table.target, weight = table.weight, group = table.group
        let end = bins.end, chunks = bins.chunks, shift = bins.shift, first = bins.firstChunk
        // One pass: each chunk has `perChunk` slots; if one overflows, the window is delivered
        // directly instead (nothing binned has been added yet) and the slots grow for the next.
        var events = 0
        for buffer in buffers {
            for spike in buffer.spikes { events += rowStart[Int(spike.neuron) + 1] - rowStart[Int(spike.neuron)] }
        }
        bins.active = false
        guard events > 0 else { return 0 }
        let wanted = max(64, 2 * events / chunks)
        if wanted > bins.perChunk {
            deallocateLarge(bins.entries)
            bins.perChunk = max(wanted, bins.perChunk * 2)
            bins.entries = allocateLarge(UInt64.self, count: bins.perChunk * chunks)
        }
        let perChunk = bins.perChunk
        for k in 0..<chunks { end[k] = k * perChunk }
        let entries = bins.entries
        var touched: UInt32 = 0
        for buffer in buffers {
            let spikes = buffer.spikes, batch = Self.touchBatch
            touched ^= touchRows(spikes, 0..<min(batch, spikes.count))
            for (n, spike) in spikes.enumerated() {
                if n % batch == 0 && n + batch < spikes.count {
                    touched ^= touchRows(spikes, (n + batch)..<min(n + 2 * batch, spikes.count))
                }
                let pre = Int(spike.neuron)
                let row = UInt64(Int(spike.step) * groupCount) << 48
                for i in rowStart[pre]..<rowStart[pre + 1] {
                    let t = target[i]
                    let k = (Int(t) >> shift) - first
                    let at = end[k]
                    guard at < (k + 1) * perChunk else {
                        bins.perChunk *= 2
                        deallocateLarge(bins.entries)
                        bins.entries = allocateLarge(UInt64.self, count: bins.perChunk * chunks)
                        return deliver(buffers)
                    }
                    end[k] = at + 1
                    entries[at] = UInt64(t) | UInt64(weight[i]) << 32 | (row + UInt64(group[i]) << 48)
                }
            }
        }
        bins.touched = touched
        bins.active = true
        return events
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
