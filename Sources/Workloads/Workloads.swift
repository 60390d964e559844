// Networks for the engine's benchmarks and tests, built from the public construction API and,
// for the DTB operating point, from the builder's laminar column (TwinBuilder owns the science
// tables; nothing here feeds back into a twin).
import SpikingEngine
import TwinBuilder

/// Ready-made networks: the shared COBA benchmark and the DTB laminar operating point.
public enum Workloads {
    /// The shared benchmark network (../shared/peers/NETWORK.md): COBA conductance LIF, 80 % E,
    /// fixed in-degree 80 E + 20 I (no self-connections, repeats allowed), 1 ms delays, independent
    /// Poisson drive of `externalRate` Hz per neuron through 0.6 nS on AMPA, dt 0.1 ms.
    public static func coba(neurons n: Int, externalRate: Double = 2000, seed: UInt64 = 12345,
                            dt: Double = 0.1) -> NetworkBuilder {
        var b = NetworkBuilder(dt: dt, seed: seed)
        let ne = n * 8 / 10
        let drive = PoissonDrive(rate: externalRate, weight: 0.6, channel: 0)
        let e = b.add(Population(name: "E", size: ne, model: .coba, poisson: drive, unit: 0,
                                 initialPotential: -60 ... -50))
        let i = b.add(Population(name: "I", size: n - ne, model: .coba, poisson: drive, unit: 0,
                                 initialPotential: -60 ... -50))
        let exc = b.add(SynapseGroup(name: "E→", channels: [0], fullScale: [0.6], delay: 1))
        let inh = b.add(SynapseGroup(name: "I→", channels: [1], fullScale: [6.7], delay: 1))
        for target in [e, i] {
            b.connect(FixedInDegree(target: target, inDegree: 80, sources: [Source(e, group: exc)],
                                    weights: .constant([1])))
            b.connect(FixedInDegree(target: target, inDegree: 20, sources: [Source(i, group: inh)],
                                    weights: .constant([1])))
        }
        return b
    }

    /// The DTB operating point: `units` laminar columns (``ColumnTemplate/laminar``) of equal size,
    /// DTB's sampling (population by row share, then distinct neurons), long-range input from the
    /// other units' E populations (∝ their size) by a random tract-density matrix (rows
    /// normalised), two uniform 8-bit weights per synapse scaled by each population's
    /// conductances, the note's in-degrees (100·degree scale, truncated), one-step delays, OU
    /// background, dt 1 ms.
    public static func dtbLaminar(neurons n: Int, units: Int, meanInDegree k: Double = 100,
                                  model: NeuronModel = .dtb2024,
                                  background: OrnsteinUhlenbeck = .dtbFast,
                                  excitatoryScale: Double = 1, inhibitoryScale: Double = 3, seed: UInt64 = 12345) -> NetworkBuilder {
        let column = ColumnTemplate.laminar
        let scales = [excitatoryScale, excitatoryScale, inhibitoryScale, inhibitoryScale]
        var b = NetworkBuilder(dt: 1, seed: seed)
        let perUnit = Double(n) / Double(units)
        let pops = (0..<units).map { u in
            (0..<column.count).map { p in
                b.add(Population(name: "u\(u).\(column.names[p])", size: max(1, Int((column.shares[p] * perUnit).rounded())),
                                 model: model.with(conductances: zip(column.conductances[p], scales).map { $0 * $1 }),
                                 background: background, unit: u, initialPotential: model.leakReversal ... model.threshold))
            }
        }
        let exc = b.add(SynapseGroup(name: "E→AMPA+NMDA", channels: [0, 1], fullScale: [1, 1], delay: 1))
        let inh = b.add(SynapseGroup(name: "I→GABAa+GABAb", channels: [2, 3], fullScale: [1, 1], delay: 1))
        let tracts = tractDensity(units: units, seed: seed)
        let landing = longRangeLanding(column)
        let degrees = TwinRules.degreeScales(column).map { Int($0 * 100) }
        for v in 0..<units {
            for p in 0..<column.count {
                let total = column.local[p].reduce(0, +) + column.longRange[p]
                var sources = (0..<column.count).filter { column.local[p][$0] > 0 }.map { q in
                    Source(pops[v][q], share: column.local[p][q] / total, group: column.excitatory[q] ? exc : inh)
                }
                for u in 0..<units where u != v {
                    for (q, share) in landing {
                        sources.append(Source(pops[u][q], share: column.longRange[p] / total * tracts[v][u] * share, group: exc))
                    }
                }
                b.connect(FixedInDegree(target: pops[v][p], inDegree: Int((Double(degrees[p]) * k / 100).rounded()),
                                        sources: sources, autapses: false, multapses: false, weights: .uniform))
            }
        }
        return b
    }

    /// Where long-range input lands in a column: its E populations, ∝ their share (as the builder).
    static func longRangeLanding(_ column: ColumnTemplate) -> [(Int, Double)] {
        let e = (0..<column.count).filter { column.excitatory[$0] }
        let total = e.reduce(0) { $0 + column.shares[$1] }
        return e.map { ($0, column.shares[$0] / total) }
    }

    /// A random tract-density matrix, diagonal zero, rows normalised (a stand-in for a subject's DWI).
    static func tractDensity(units: Int, seed: UInt64) -> [[Double]] {
        (0..<units).map { v in
            var rng = RandomSequence(seed: seed, stream: .dwi, item: UInt32(v))
            let row = (0..<units).map { u in u == v ? 0 : rng.unit() }
            let sum = row.reduce(0, +)
            return row.map { sum > 0 ? $0 / sum : 0 }
        }
    }
}
