import Analyses
import Assimilation
import Foundation
import Hemodynamics
import Recorders
import SpikingEngine
import Testing

@Suite("Experiment")
struct ExperimentTests {
    static func network(units: Int, e: Int, i: Int) -> (Network, [Bool]) {
        var b = NetworkBuilder(dt: 1, seed: 17)
        let m = NeuronModel.dtb2024
        var ep: [PopulationID] = [], ip: [PopulationID] = []
        for u in 0..<units {
            ep.append(b.add(Population(name: "E\(u)", size: e, model: m, background: .dtbFast,
                                      external: .gamma(mean: 0.15, shape: externalCurrentShape), unit: u, initialPotential: -70 ... -50)))
            ip.append(b.add(Population(name: "I\(u)", size: i, model: m, background: .dtbFast, unit: u, initialPotential: -70 ... -50)))
        }
        let exc = b.add(SynapseGroup(name: "E", channels: [0, 1], fullScale: [1, 1], delay: 1))
        let inh = b.add(SynapseGroup(name: "I", channels: [2, 3], fullScale: [1, 1], delay: 1))
        for u in 0..<units {
            for target in [ep[u], ip[u]] {
                b.connect(FixedInDegree(target: target, inDegree: min(20, e), sources: [Source(ep[u], share: 4, group: exc), Source(ip[u], share: 1, group: inh)], multapses: false, weights: .uniform))
            }
        }
        return (b.build(partitions: 1), (0..<(2 * units)).map { $0 % 2 == 0 })
    }

    static func truth(_ u: Int, _ t: Int, lo: Double, amp: Double, period: Double) -> Double {
        lo + 0.02 * Double(u % 5) + amp * sin(2 * Double.pi * Double(t) / period + Double(u))
    }

    @Test(arguments: [(40, 12, 1.0, 0.1, 0.8), (40, 12, 2.0, 0.1, 0.8), (8, 12, 2.0, 0.1, 0.8), (8, 12, 2.0, 1.0, 0.5), (8, 32, 2.0, 0.1, 0.8), (200, 12, 2.0, 0.1, 0.8)])
    func fit(_ size: Int, _ members: Int, _ tr: Double, _ q: Double, _ rho: Double) throws {
        let units = 20, frames = 40
        let (network, flags) = Self.network(units: units, e: size * 4 / 5, i: max(1, size / 5))
        let pops = try UnitPopulations(network: network, excitatory: flags)
        let bold = try BOLDRecorder(network: network, repetitionTime: tr)
        let sim = Simulation(network: network, seed: 99, observers: [bold])
        func set(_ t: Int) { for u in 0..<units { for p in pops.excitatory[u] { sim.setParameters(of: p, external: .gamma(mean: Self.truth(u, t, lo: 0.1, amp: 0.06, period: 25), shape: 5)) } } }
        set(0); sim.run(duration: 5000)
        var observed: [[Double]] = []
        for t in 1...frames { set(t); sim.run(duration: tr * 1000); observed.append(bold.samples.last!) }
        let ensemble = try MemberEnsemble(network: network, excitatory: flags, members: members, seed: 3, kinds: [.externalCurrent], bold: .dtb, repetitionTime: tr, threads: 2)
        let filter = try DiffusionFilter(ensemble: ensemble, hyperparameters: [Hyperparameter(kind: .externalCurrent, bounds: try BoundedParameter(lower: 0.02, upper: 0.4))],
                                         settings: FilterSettings(analysis: try HierarchicalAnalysis(observationVariance: 1e-8, localWeight: rho), processVariance: q, warmupSeconds: 5, seed: 5))
        let fitted = observed.map { filter.assimilate($0) }
        var rh: [Double] = [], rb: [Double] = []
        for u in 0..<units {
            rh.append(pearson(fitted[5...].map { $0.mean[u] }, (5..<frames).map { Self.truth(u, $0 + 1, lo: 0.1, amp: 0.06, period: 25) }) ?? 0)
            rb.append(pearson(fitted[5...].map { $0.forecast[u] }, observed[5...].map { $0[u] }) ?? 0)
        }
        print("EXP size \(size) M \(members) TR \(tr) Q \(q) rho \(rho): h r \(rh.reduce(0,+)/Double(units)), BOLD r \(rb.reduce(0,+)/Double(units))")
    }
}
