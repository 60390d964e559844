import SpikingEngine
import TwinBuilder

/// An arm's interventions applied to a twin: the edited network (lesions, silencing, rewiring)
/// and the engine network with its populations changed (receptors, stimulation, silencing).
public struct Treatment: Sendable {
    public let interventions: [Intervention]

    public init(_ interventions: [Intervention]) { self.interventions = interventions }

    /// The engine network of `twin` under this treatment, in `partitions` partitions, with the
    /// populations that must stay silent whatever a replay sets. `seed` keys the rewiring draws;
    /// the stimuli are laid on a run of `warmup` + `seconds` seconds.
    public func network(of twin: TwinNetwork, centroids: [[Double]], seed: UInt64, warmup: Double, seconds: Double,
                        partitions: Int) throws -> (network: Network, silenced: [PopulationID]) {
        let edited = try editedNetwork(twin, centroids: centroids, seed: seed)
        var builder = edited.networkBuilder()
        let index = UnitIndex(twin.unitNames)
        var silenced: [Int] = []
        for intervention in interventions {
            switch intervention {
            case .lesion, .rewire: break
            case .silence(let names):
                for p in try index.populations(of: names, in: twin) {
                    builder.update(population: p) { $0.background = nil; $0.external = .none; $0.stimulus = nil }
                    silenced.append(p)
                }
            case .stimulate(let stimulation):
                let stimulus = try stimulation.stimulus(dt: twin.parameters.dt, warmup: warmup, seconds: seconds)
                for p in try index.populations(of: stimulation.units, in: twin) {
                    builder.update(population: p) { $0.stimulus = Self.sum($0.stimulus, stimulus) }
                }
            case .receptor(let change):
                let factors = try change.factors(units: twin.unitNames, index: index)
                for (k, pop) in twin.populations.enumerated() where factors[pop.unit] != 1 {
                    builder.update(population: k) { p in
                        var g = p.model.conductances
                        g[change.channel.index] *= factors[pop.unit]
                        p.model = p.model.with(conductances: g)
                    }
                }
            }
        }
        // Silence last, so a later stimulus cannot wake a silenced unit.
        for p in silenced { builder.update(population: p) { $0.stimulus = nil } }
        let network = builder.build(partitions: partitions)
        return (network, silenced.map(network.populationID))
    }

    /// The twin with this treatment's connectivity edits, in order.
    public func editedNetwork(_ twin: TwinNetwork, centroids: [[Double]], seed: UInt64) throws -> TwinNetwork {
        var network = twin
        let index = UnitIndex(twin.unitNames)
        for intervention in interventions {
            switch intervention {
            case let .lesion(from, to):
                _ = try index.units(from); _ = try index.units(to)
                network = try network.lesioning(from: from, to: to)
            case .silence(let names):
                let units = Set(try index.units(names))
                network = network.removingSynapses { units.contains($0.sourceUnit) || units.contains($0.targetUnit) }
            case .rewire(let rewiring):
                network = try rewiring.applied(to: network, centroids: centroids, seed: seed)
            case .stimulate, .receptor: break
            }
        }
        return network
    }

    /// Two stimuli on the same grid added sample by sample.
    static func sum(_ a: Stimulus?, _ b: Stimulus) -> Stimulus {
        guard let a else { return b }
        let n = max(a.samples.count, b.samples.count)
        return Stimulus(samples: (0..<n).map { (($0 < a.samples.count) ? a.samples[$0] : 0) + (($0 < b.samples.count) ? b.samples[$0] : 0) },
                        interval: b.interval)
    }
}

/// Unit names to indices, with one-line errors for names the twin lacks.
struct UnitIndex {
    let index: [String: Int]

    init(_ names: [String]) {
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func units(_ names: [String]) throws -> [Int] {
        guard !names.isEmpty else { throw InterventionError.invalid("an intervention names an empty set of regions") }
        return try names.map { name in
            guard let u = index[name] else { throw InterventionError.invalid("region \(name) is not one of the twin's units") }
            return u
        }
    }

    func populations(of names: [String], in twin: TwinNetwork) throws -> [Int] {
        let units = Set(try self.units(names))
        return twin.populations.indices.filter { units.contains(twin.populations[$0].unit) }
    }
}

extension ReceptorChange {
    /// The conductance factor of each unit. Throws for a negative or non-finite factor, unknown
    /// units, or a map without spread.
    func factors(units: [String], index: UnitIndex) throws -> [Double] {
        guard factor.isFinite, factor >= 0 else {
            throw InterventionError.invalid("\(channel.rawValue) factor \(g(factor)): give a finite factor of 0 or more")
        }
        var chosen = [Bool](repeating: units.isEmpty == false && self.units == nil, count: units.count)
        if let named = self.units { for u in try index.units(named) { chosen[u] = true } }
        var weights = [Double](repeating: 1, count: units.count)
        if let map {
            let values = units.map { map[$0] }
            let known = values.compactMap { $0 }.filter(\.isFinite)
            guard let low = known.min(), let high = known.max(), high > low else {
                throw InterventionError.invalid("the \(channel.rawValue) map has no spread over the twin's units: it cannot weight the change")
            }
            weights = values.map { v in v.map { $0.isFinite ? ($0 - low) / (high - low) : 0 } ?? 0 }
        }
        return units.indices.map { chosen[$0] ? 1 + (factor - 1) * weights[$0] : 1 }
    }
}
