import SpikingEngine

/// Spikes per unit in consecutive bins of a fixed number of steps (a study's activity series: 1 ms
/// bins by default); with ``UnitMap/init(populationsOf:)``, spikes per population. Bins follow the run's steps from the first recorded one, whatever the engine's
/// window length, so the same run gives the same bins when run in parts.
public final class BinnedUnitCounts: SimulationObserver {
    public let map: UnitMap
    /// Steps per bin.
    public let binSteps: Int
    /// Bin-major: `counts[b * units + u]` spikes of unit u in bin b; complete bins only until ``finish()``.
    public internal(set) var counts: [UInt32] = []
    /// The bin being filled, and its steps so far (internal: a checkpoint saves them).
    var current: [UInt32]
    var stepsInBin = 0

    /// - Parameters:
    ///   - binSteps: steps per bin, at least 1.
    ///   - map: what is counted; nil: the network's units.
    public init(network: Network, binSteps: Int, map: UnitMap? = nil) {
        precondition(binSteps >= 1, "a bin has steps")
        self.map = map ?? UnitMap(network)
        self.binSteps = binSteps
        current = [UInt32](repeating: 0, count: self.map.units)
    }

    /// Bins recorded so far.
    public var bins: Int { map.units == 0 ? 0 : counts.count / map.units }

    public func simulation(_ simulation: Simulation, didAdvance window: SimulationWindow) {
        for s in 0..<window.length {
            for (p, u) in map.unitOfPopulation.enumerated() where u >= 0 {
                current[u] &+= UInt32(window.count(step: s, population: p))
            }
            stepsInBin += 1
            if stepsInBin == binSteps { closeBin() }
        }
    }

    /// Keeps a last, partial bin (a run shorter than a whole number of bins).
    public func finish() { if stepsInBin > 0 { closeBin() } }

    /// Forgets what was recorded (the warm-up before a study's recorded span).
    public func reset() {
        counts.removeAll(keepingCapacity: true)
        for u in current.indices { current[u] = 0 }
        stepsInBin = 0
    }

    private func closeBin() {
        counts.append(contentsOf: current)
        for u in current.indices { current[u] = 0 }
        stepsInBin = 0
    }
}
