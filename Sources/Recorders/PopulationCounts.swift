import SpikingEngine

/// Keeps the spike count of every population at every step.
public final class PopulationCounts: SimulationObserver {
    /// Per step, spikes per population.
    public private(set) var steps: [[Int32]] = []

    public init() {}

    public func simulation(_ simulation: Simulation, didAdvance window: SimulationWindow) {
        let populations = window.network.populations.count
        for s in 0..<window.length {
            steps.append((0..<populations).map { window.count(step: s, population: $0) })
        }
    }
}
