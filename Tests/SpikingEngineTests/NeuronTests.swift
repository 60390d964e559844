import Foundation
import Recorders
import SpikingEngine
import Testing

/// A model that never reaches threshold, for watching currents and conductances.
func silent(_ model: NeuronModel) -> NeuronModel {
    var m = model
    m.name = model.name + "-silent"
    m.threshold = 1e9
    return m
}

@Suite("Single neuron and synaptic channels")
struct NeuronTests {
    /// Constant current, no noise: the forward-Euler trajectory is V_n = V∞ + (V₀ − V∞)(1 − dt/τ)ⁿ
    /// exactly, within O(dt) of the continuous solution V∞ + (V₀ − V∞)e^{−t/τ}; the period is
    /// T_ref + τ ln((V∞ − V_reset)/(V∞ − V_th)).
    @Test func constantCurrentMatchesAnalyticLIF() {
        let m = NeuronModel.dtb2024
        let current = 0.6
        var b = NetworkBuilder(dt: 0.1, seed: 1)
        b.add(Population(name: "one", size: 1, model: m, external: .constant(current)))
        let raster = SpikeRaster(neurons: [0])
        let sim = Simulation(network: b.build(partitions: 1), observers: [raster])
        let tau = m.capacitance / m.leakConductance
        let vInf = m.leakReversal + current / m.leakConductance
        let v0 = m.leakReversal
        for n in 1...300 {  // 30 ms, before the first spike (35.8 ms)
            sim.run(steps: 1)
            let euler = vInf + (v0 - vInf) * pow(1 - 0.1 / tau, Double(n))
            let exact = vInf + (v0 - vInf) * exp(-Double(n) * 0.1 / tau)
            #expect(abs(sim.potential(of: 0) - euler) < 2e-4)
            #expect(abs(sim.potential(of: 0) - exact) < 0.05)
        }
        sim.run(duration: 1970)
        let period = m.refractoryPeriod + tau * log((vInf - m.reset) / (vInf - m.threshold))
        let times = raster.spikes.map(\.time)
        let first = tau * log((vInf - v0) / (vInf - m.threshold))
        #expect(abs(times[0] - first) <= 0.2)
        let intervals = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(intervals.allSatisfy { abs($0 - period) <= 0.2 })  // two steps
        let rate = Double(intervals.count) / (times.last! - times.first!) * 1000
        #expect(abs(rate - 1000 / period) / (1000 / period) < 0.01)
    }

    /// One presynaptic spike through each group: the gating variable jumps by the weight at the
    /// arrival step and decays as w·exp(−(t − t_arrival)/τ_u), read at the end of each step.
    @Test func eachChannelFollowsItsExponential() {
        let m = NeuronModel.dtb2024
        var b = NetworkBuilder(dt: 0.1, seed: 2)
        // A current pulse in the first step only makes each presynaptic neuron spike once, at step 0.
        let kick = ExternalCurrent.timeCourse([1000], interval: 0.1)
        let e = b.add(Population(name: "E", size: 1, model: m, external: kick))
        let i = b.add(Population(name: "I", size: 1, model: m, external: kick))
        let post = b.add(Population(name: "post", size: 1, model: silent(m)))
        let exc = b.add(SynapseGroup(name: "E", channels: [0, 1], fullScale: [0.8, 0.4], delay: 1))
        let inh = b.add(SynapseGroup(name: "I", channels: [2, 3], fullScale: [0.6, 0.2], delay: 1.5))
        let target = b.neuron(0, of: post)
        b.connect(ConnectionList(pre: [b.neuron(0, of: e)], post: [target], weights: [[1, 1]], group: exc))
        b.connect(ConnectionList(pre: [b.neuron(0, of: i)], post: [target], weights: [[1, 1]], group: inh))
        let raster = SpikeRaster(neurons: [0, 1])
        let sim = Simulation(network: b.build(partitions: 1), observers: [raster])
        let weights = [0.8, 0.4, 0.6, 0.2]
        let arrival = [10, 10, 15, 15]  // steps: spike at step 0 plus 1 ms or 1.5 ms
        for step in 0..<400 {
            sim.run(steps: 1)
            for u in 0..<4 {
                let expected = step < arrival[u] ? 0
                    : weights[u] * exp(-Double(step - arrival[u] + 1) * 0.1 / m.channels[u].tau)
                #expect(abs(sim.gating(of: target, channel: u) - expected) <= 1e-6 + 1e-5 * expected)
            }
        }
        #expect(raster.spikes.map(\.time) == [0, 0])
    }
}
