import SpikingEngine

/// What one per-unit hyperparameter of an assimilation sets in the unit's populations.
public enum HyperparameterKind: String, Sendable, Codable, CaseIterable {
    /// The mean external current of the unit's E populations, x_j = γ_j·h per neuron with
    /// γ_j ~ Gamma(5, 5) drawn once per neuron.
    case externalCurrent = "ext"
    /// Factors on the unit's receptor conductances g_AMPA, g_NMDA, g_GABAa, g_GABAb.
    case ampa, nmda, gabaa, gabab

    /// The receptor channel a conductance factor scales, nil for the external current.
    public var channel: Int? {
        switch self {
        case .externalCurrent: nil
        case .ampa: 0
        case .nmda: 1
        case .gabaa: 2
        case .gabab: 3
        }
    }
}

/// One fitted hyperparameter: its kind and its bounds.
public struct Hyperparameter: Sendable, Codable, Equatable {
    public var kind: HyperparameterKind
    public var bounds: BoundedParameter

    public init(kind: HyperparameterKind, bounds: BoundedParameter) { self.kind = kind; self.bounds = bounds }
}

/// The shape of the Gamma distribution of per-neuron external currents (DTB: 5).
public let externalCurrentShape = 5.0

/// Which populations a unit's hyperparameters act on, from a network's populations.
public struct UnitPopulations: Sendable, Equatable {
    /// Per unit, its populations, and which of them are excitatory.
    public let all: [[PopulationID]]
    public let excitatory: [[PopulationID]]

    /// - Parameter excitatory: per population of `network`, whether it is excitatory.
    public init(network: Network, excitatory: [Bool]) throws {
        guard excitatory.count == network.populations.count else {
            throw AssimilationError.invalid("\(excitatory.count) excitatory flags for \(network.populations.count) populations")
        }
        let units = (network.populations.compactMap(\.unit).max() ?? -1) + 1
        var all = [[PopulationID]](repeating: [], count: units), e = all
        for (p, population) in network.populations.enumerated() {
            guard let u = population.unit else { continue }
            all[u].append(network.populationID(p))
            if excitatory[p] { e[u].append(network.populationID(p)) }
        }
        self.all = all; self.excitatory = e
    }

    public var units: Int { all.count }
}

/// How per-unit hyperparameter values land in a simulation's populations.
public struct HyperparameterMap: Sendable {
    public let populations: UnitPopulations
    public let kinds: [HyperparameterKind]
    /// The fitted units (indices into the network's units), ascending; the others keep the
    /// values they were built with.
    public let units: [Int]

    /// - Parameter units: the fitted units; nil fits every unit. Throws for a unit out of range or named twice.
    public init(populations: UnitPopulations, kinds: [HyperparameterKind], units: [Int]? = nil) throws {
        let fitted = units ?? Array(0..<populations.units)
        guard Set(fitted).count == fitted.count, fitted.allSatisfy({ (0..<populations.units).contains($0) }) else {
            throw AssimilationError.invalid("the fitted units must be distinct units of the network (0–\(populations.units - 1))")
        }
        self.populations = populations; self.kinds = kinds; self.units = fitted.sorted()
    }

    /// Sets `h[i * kinds.count + k]` (the i-th fitted unit's value of `kinds[k]`): a conductance
    /// factor scales the network's own g of that channel in all of the unit's populations; the
    /// external current is the Gamma mean of the unit's E populations.
    public func apply(_ h: [Double], to simulation: Simulation) {
        for (i, u) in units.enumerated() {
            for (k, kind) in kinds.enumerated() {
                let value = h[i * kinds.count + k]
                if let channel = kind.channel {
                    for p in populations.all[u] {
                        var g = simulation.populations[p.index].model.conductances
                        g[channel] = simulation.network.populations[p.index].model.conductances[channel] * value
                        simulation.setConductances(g, of: p)
                    }
                } else {
                    for p in populations.excitatory[u] {
                        simulation.setParameters(of: p, external: .gamma(mean: value, shape: externalCurrentShape))
                    }
                }
            }
        }
    }
}
