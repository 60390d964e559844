// Observers: how recording, rates and BOLD see a run without living in the update loop. The
// simulation tells each observer once per exchange window (after the window's spikes are
// exchanged), so with none attached the loop does no recording work at all.

/// Something told about every window a ``Simulation`` advances: recorders of spikes, rates,
/// per-unit activity and BOLD (in the `Recorders` module), or a filter that steers the run.
public protocol SimulationObserver: AnyObject {
    /// Called on the thread driving the simulation, after `window` was simulated and exchanged and
    /// before the next one starts; the simulation may be changed here (e.g. its parameters).
    func simulation(_ simulation: Simulation, didAdvance window: SimulationWindow)
}

/// What one window of a simulation produced. Valid only during the observer call.
public struct SimulationWindow {
    /// The network simulated, for population sizes, units and neuron numbering.
    public let network: Network
    /// The first step of the window and the number of steps in it.
    public let firstStep: Int
    public let length: Int
    /// Spikes per step and population, step-major: `counts[s * populations + p]`.
    public let counts: UnsafeBufferPointer<Int32>
    let spikes: [SpikeBuffer]
    /// Populations per step in `counts`.
    let populationCount: Int

    init(network: Network, firstStep: Int, length: Int, counts: UnsafeBufferPointer<Int32>, spikes: [SpikeBuffer]) {
        self.network = network; self.firstStep = firstStep; self.length = length
        self.counts = counts; self.spikes = spikes
        populationCount = network.populations.count
    }

    /// Spikes of population `p` at step `s` of the window.
    @inline(__always)
    public func count(step s: Int, population p: Int) -> Int32 { counts[s * populationCount + p] }

    /// Calls `body(neuron, step)` for every spike of the window (global neuron index, absolute
    /// step), in the canonical order: partition by partition, as emitted.
    public func forEachSpike(_ body: (_ neuron: Int, _ step: Int) -> Void) {
        for buffer in spikes {
            for spike in buffer.spikes {
                body(network.global(internal: Int(spike.neuron))!, firstStep + Int(spike.step))
            }
        }
    }
}
