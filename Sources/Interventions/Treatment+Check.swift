import TwinBuilder

extension Treatment {
    /// Checks every intervention against `twin` without building anything: unit names, the
    /// rewiring's P and k, the stimuli on a run of `warmup` + `seconds`, the receptor factors.
    /// Throws the first problem as a one-line ``InterventionError``.
    public func check(against twin: TwinNetwork, warmup: Double, seconds: Double) throws {
        let index = UnitIndex(twin.unitNames)
        for intervention in interventions {
            switch intervention {
            case let .lesion(from, to):
                _ = try index.units(from); _ = try index.units(to)
            case .silence(let names):
                _ = try index.units(names)
            case .rewire(let r):
                guard r.probability.isFinite, (0...1).contains(r.probability) else {
                    throw InterventionError.invalid("rewiring probability \(g(r.probability)): give P from 0 to 1")
                }
                let units = twin.unitNames.count
                guard r.model != .nearest || (1..<units).contains(r.neighbours) else {
                    throw InterventionError.invalid("rewiring neighbours \(r.neighbours): give 1 to \(units - 1) (the twin has \(units) units)")
                }
                guard twin.delaySteps != nil else {
                    throw InterventionError.invalid("this twin was built without tracts: it has no long-range synapses to rewire")
                }
            case .stimulate(let s):
                _ = try index.units(s.units)
                _ = try s.stimulus(dt: twin.parameters.dt, warmup: warmup, seconds: seconds)
            case .receptor(let change):
                _ = try change.factors(units: twin.unitNames, index: index)
            }
        }
    }
}
