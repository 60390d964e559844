import SpikingEngine

/// Which unit (region or voxel) each population feeds and how many neurons each unit has: the
/// map from population spike counts to the per-unit activity that drives BOLD.
public struct UnitMap: Sendable, Equatable {
    /// Per population, its unit, or -1 for none.
    public let unitOfPopulation: [Int]
    /// Neurons per unit.
    public let unitSizes: [Int]

    /// The units of `network`'s populations (`Population.unit`), numbered 0 up to the largest.
    public init(_ network: Network) {
        unitOfPopulation = network.populations.map { $0.unit ?? -1 }
        var sizes = [Int](repeating: 0, count: (unitOfPopulation.max() ?? -1) + 1)
        for (p, u) in unitOfPopulation.enumerated() where u >= 0 { sizes[u] += network.populations[p].size }
        unitSizes = sizes
    }

    /// Every population its own unit (in population order): per-population series.
    public init(populationsOf network: Network) {
        unitOfPopulation = Array(network.populations.indices)
        unitSizes = network.populations.map(\.size)
    }

    public var units: Int { unitSizes.count }

    /// Writes the fraction of each unit's neurons that spiked at step `s` of `window` into `out`.
    public func fractions(_ window: SimulationWindow, step s: Int, into out: inout [Double]) {
        for u in out.indices { out[u] = 0 }
        for (p, u) in unitOfPopulation.enumerated() where u >= 0 { out[u] += Double(window.count(step: s, population: p)) }
        for u in out.indices { out[u] /= Double(unitSizes[u]) }
    }
}

/// Keeps, per unit and step, the fraction of the unit's neurons that spiked.
public final class UnitActivity: SimulationObserver {
    public let map: UnitMap
    /// Per step, one fraction per unit.
    public private(set) var steps: [[Double]] = []

    public init(network: Network) { map = UnitMap(network) }

    public func simulation(_ simulation: Simulation, didAdvance window: SimulationWindow) {
        var fraction = [Double](repeating: 0, count: map.units)
        for s in 0..<window.length {
            map.fractions(window, step: s, into: &fraction)
            steps.append(fraction)
        }
    }
}
