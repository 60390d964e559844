// Spike delivery in two phases. Sorting: each partition walks every spike of the last window (in
// canonical order) through its own synapse rows and appends (destination, weight) events to the
// bin of the target's chunk — sequential writes only. Applying: just before a chunk of neurons is
// updated, its gating memory is streamed into cache and its bin added in — so no synaptic event
// pays a cache miss of its own (a direct scatter costs one miss per event once the network outgrows
// the L2 cache). Destinations are J for the first step of the next window, the per-delay ring slot
// otherwise; the order of additions per target is the canonical one, whatever the partitioning.

/// One weight to add at a float index of the gating memory (J followed by the ring slots).
struct SynapticEvent {
    var index: UInt32
    var weight: Float
}

/// Neurons per chunk: 256 blocks of 8 (32 KiB of four-channel gating variables, within L2).
let chunkBlocks = 256

/// Per-chunk event lists of one partition, refilled every window.
final class EventBins: @unchecked Sendable {
    private(set) var events: [UnsafeMutablePointer<SynapticEvent>]
    private(set) var counts: [Int]
    private var capacities: [Int]

    init(chunks: Int) {
        events = (0..<chunks).map { _ in .allocate(capacity: 256) }
        counts = Array(repeating: 0, count: chunks)
        capacities = Array(repeating: 256, count: chunks)
    }

    deinit { for e in events { e.deallocate() } }

    @inline(__always)
    func append(_ chunk: Int, _ event: SynapticEvent) {
        if counts[chunk] == capacities[chunk] { grow(chunk) }
        events[chunk][counts[chunk]] = event
        counts[chunk] += 1
    }

    private func grow(_ chunk: Int) {
        let bigger = UnsafeMutablePointer<SynapticEvent>.allocate(capacity: capacities[chunk] * 2)
        bigger.moveInitialize(from: events[chunk], count: counts[chunk])
        events[chunk].deallocate()
        events[chunk] = bigger
        capacities[chunk] *= 2
    }

    /// Adds chunk `c`'s events into `memory` and empties the bin.
    @inline(__always)
    func apply(_ c: Int, to memory: UnsafeMutablePointer<Float>) {
        let e = events[c]
        for i in 0..<counts[c] { memory[Int(e[i].index)] += e[i].weight }
        counts[c] = 0
    }
}

struct WindowDelivery {
    let state: StatePointers
    let table: SynapseTable
    let groups: UnsafeBufferPointer<CompiledGroup>
    /// First step and length of the window the spikes were emitted in.
    let emittedStart: Int
    let emittedLength: Int
    let dirty: UnsafeMutablePointer<Bool>
    /// The partition's first block, and log2 of floats per block (4 or 5).
    let firstBlock: Int
    let blockShift: Int

    /// Sorts every synapse of every spike in `buffers` into `bins`; returns the number of
    /// synapses delivered.
    func deliver(_ buffers: [SpikeBuffer], into bins: EventBins) -> Int {
        let next = emittedStart + emittedLength
        // Destination offset per (emission step, group), so the synapse loop does no modulo.
        var destinations = [Int](repeating: 0, count: emittedLength * groups.count)
        for s in 0..<emittedLength {
            for (g, group) in groups.enumerated() {
                let arrival = emittedStart + s + group.delaySteps
                if arrival != next {
                    let slot = arrival % state.ringSlots
                    dirty[slot] = true
                    destinations[s * groups.count + g] = (1 + slot) * state.slotSize
                }
            }
        }
        let rowStart = table.rowStart, target = table.target, weight = table.weight, group = table.group
        let groupCount = groups.count, first = firstBlock, shift = blockShift
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
                        let t = Int(target[i])
                        let chunk = ((t >> shift) - first) / chunkBlocks
                        let base = row[g] + t
                        let w = weight[i]
                        bins.append(chunk, SynapticEvent(index: UInt32(base + c.offsetA), weight: Float(w & 0xFF) * c.scaleA))
                        if c.twoChannels {
                            bins.append(chunk, SynapticEvent(index: UInt32(base + c.offsetB), weight: Float(w >> 8) * c.scaleB))
                        }
                    }
                }
            }
        }
        return events
    }
}
