import SpikingEngine

/// A spike of a raster: global neuron index and time (ms).
public struct RasterSpike: Sendable, Codable, Equatable {
    public var neuron: Int
    public var time: Double

    public init(neuron: Int, time: Double) { self.neuron = neuron; self.time = time }
}

/// Keeps the spike times of chosen neurons.
public final class SpikeRaster: SimulationObserver {
    /// Global indices of the neurons recorded.
    public let neurons: Set<Int>
    /// Their spikes in the engine's canonical order (window by window, partition by partition).
    public internal(set) var spikes: [RasterSpike] = []

    public init(neurons: some Sequence<Int>) { self.neurons = Set(neurons) }

    public func simulation(_ simulation: Simulation, didAdvance window: SimulationWindow) {
        let dt = window.network.dt
        window.forEachSpike { neuron, step in
            if neurons.contains(neuron) { spikes.append(RasterSpike(neuron: neuron, time: Double(step) * dt)) }
        }
    }
}
