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
