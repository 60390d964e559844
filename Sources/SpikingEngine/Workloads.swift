// Networks used by the benchmark and the tests, built from the public construction API.

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

    /// The eight laminar populations of a cortical column (design note §2).
    public static let laminarNames = ["L2/3E", "L2/3I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
    /// Share of a column's neurons per population.
    public static let laminarShares = [0.2679, 0.0756, 0.2837, 0.0709, 0.0633, 0.0139, 0.1864, 0.0382]
    /// Relative synapse counts, rows post, columns pre, last column long-range input.
    public static let laminarTable: [[Double]] = [
        [3554, 804, 881, 45, 431, 0, 136, 0, 1020],
        [1778, 532, 456, 29, 217, 0, 69, 0, 396],
        [417, 84, 1070, 690, 79, 93, 1686, 0, 1489],
        [168, 41, 628, 538, 36, 0, 1028, 0, 790],
        [2550, 176, 765, 99, 621, 596, 363, 7, 1591],
        [1357, 76, 380, 32, 375, 403, 129, 0, 214],
        [643, 46, 549, 196, 327, 126, 925, 597, 2609],
        [80, 8, 92, 3, 159, 11, 76, 499, 1794],
    ]
    /// In-degree per population at mean degree 100.
    public static let laminarInDegree = [122, 61, 99, 57, 120, 52, 107, 48]
    /// DTB `default_params` conductances (AMPA, NMDA, GABAa, GABAb) per population.
    public static let laminarConductances: [[Double]] = [
        [0.0007, 0.00011, 0.001485, 0.000275], [0.0013, 0.00022, 0.00297, 0.000605],
        [0.0008, 0.000165, 0.00187, 0.000385], [0.0014, 0.000275, 0.00319, 0.00066],
        [0.0007, 0.00011, 0.00154, 0.00033], [0.0015, 0.000275, 0.00187, 0.000715],
        [0.0007, 0.000165, 0.001705, 0.00033], [0.0017, 0.00033, 0.002805, 0.00077],
    ]
    /// Where long-range input lands among a unit's E populations.
    static let longRangeTargets = [(0, 0.334), (2, 0.354), (4, 0.079), (6, 0.233)]

    /// The DTB operating point: `units` laminar columns of equal size, DTB's sampling (population by
    /// row share, then distinct neurons), long-range input from the other units' E populations by a
    /// random tract-density matrix (rows normalised), two uniform 8-bit weights per synapse scaled by
    /// each population's conductances, one-step delays, OU background, dt 1 ms.
    public static func dtbLaminar(neurons n: Int, units: Int, meanInDegree k: Double = 100,
                                  model: NeuronModel = .dtb2024,
                                  background: OrnsteinUhlenbeck = .dtbFast,
                                  excitatoryScale: Double = 1, inhibitoryScale: Double = 3, seed: UInt64 = 12345) -> NetworkBuilder {
        var b = NetworkBuilder(dt: 1, seed: seed)
        let perUnit = Double(n) / Double(units)
        var pops: [[PopulationID]] = []
        for u in 0..<units {
            pops.append((0..<8).map { p in
                b.add(Population(name: "u\(u).\(laminarNames[p])", size: max(1, Int((laminarShares[p] * perUnit).rounded())),
                                 model: model.with(conductances: zip(laminarConductances[p], [excitatoryScale, excitatoryScale, inhibitoryScale, inhibitoryScale]).map { $0 * $1 }),
                                 background: background, unit: u,
                                 initialPotential: model.leakReversal ... model.threshold))
            })
        }
        let exc = b.add(SynapseGroup(name: "E→AMPA+NMDA", channels: [0, 1], fullScale: [1, 1], delay: 1))
        let inh = b.add(SynapseGroup(name: "I→GABAa+GABAb", channels: [2, 3], fullScale: [1, 1], delay: 1))
        let tracts = tractDensity(units: units, seed: seed)
        for v in 0..<units {
            for p in 0..<8 {
                let row = laminarTable[p]
                let total = row.reduce(0, +)
                var sources = (0..<8).filter { row[$0] > 0 }.map { q in
                    Source(pops[v][q], share: row[q] / total, group: q % 2 == 0 ? exc : inh)
                }
                for u in 0..<units where u != v {
                    for (q, share) in longRangeTargets {
                        sources.append(Source(pops[u][q], share: row[8] / total * tracts[v][u] * share, group: exc))
                    }
                }
                let degree = Int((Double(laminarInDegree[p]) * k / 100).rounded())
                b.connect(FixedInDegree(target: pops[v][p], inDegree: degree, sources: sources,
                                        autapses: false, multapses: false, weights: .uniform))
            }
        }
        return b
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
