import Foundation
import Recorders
import SpikingEngine
import Testing
import Workloads

/// Delayed arrivals: each synapse's spike lands at its own delay, however a row mixes delays, and
/// what waits in flight costs memory in proportion to the spikes, not to the longest delay.
@Suite("Synaptic delays")
struct DelayTests {
    /// One presynaptic neuron firing at steps 0 and 10 (current pulses), synapses listed in mixed
    /// delay order onto four silent targets: each target's AMPA gating variable jumps by its
    /// weight exactly at spike step + delay, once per spike, and decays in between.
    @Test func eachSynapseArrivesAtItsDelay() {
        let m = NeuronModel.dtb2024
        var b = NetworkBuilder(dt: 1, seed: 5)
        let pre = b.add(Population(name: "pre", size: 1, model: m, external: .timeCourse([1000] + Array(repeating: 0, count: 9) + [1000], interval: 1)))
        let post = b.add(Population(name: "post", size: 4, model: silent(m)))
        let delays = [7.0, 1, 30, 3]
        let groups = delays.map { b.add(SynapseGroup(name: "d\($0)", channels: [0], fullScale: [0.5], delay: $0)) }
        for (k, g) in groups.enumerated() {
            b.connect(ConnectionList(pre: [b.neuron(0, of: pre)], post: [b.neuron(k, of: post)], weights: [[1]], group: g))
        }
        let raster = SpikeRaster(neurons: [0])
        let sim = Simulation(network: b.build(partitions: 1), observers: [raster])
        let decay = exp(-1 / m.channels[0].tau)
        var expected = [Double](repeating: 0, count: 4)
        for step in 0..<45 {
            sim.run(steps: 1)
            for k in 0..<4 {
                expected[k] *= decay
                // A spike at step s arrives at the start of step s + d and has decayed once by its end.
                for s in raster.spikes.map({ Int($0.time.rounded()) }) where s + Int(delays[k]) == step { expected[k] += 0.5 * decay }
                #expect(abs(sim.gating(of: b.neuron(k, of: post), channel: 0) - expected[k]) <= 1e-6, "target \(k) step \(step)")
            }
        }
        #expect(raster.spikes.map(\.time) == [0, 10])
    }

    /// The same network with 6 ms (60-step) long-range delays instead of 1 ms ones: a
    /// simulation's own state grows by the spikes in flight, not by 50 more copies of the gating
    /// variables (8 B per neuron and step of delay with COBA's two channels: 3.2 MB here).
    @Test func stateDoesNotGrowWithTheLongestDelay() {
        func network(farDelay: Double) -> Network {
            var b = Workloads.coba(neurons: 8000, seed: 4)
            let far = b.add(SynapseGroup(name: "far", channels: [0], fullScale: [0.3], delay: farDelay))
            b.connect(FixedInDegree(target: b.populationID(0), inDegree: 20, sources: [Source(b.populationID(0), group: far)]))
            return b.build(partitions: 1)
        }
        let near = Simulation(network: network(farDelay: 1)), far = Simulation(network: network(farDelay: 6))
        near.run(duration: 50)
        far.run(duration: 50)
        #expect(far.network.maxDelay == 60)
        let ringBytes = 50 * far.network.neuronCount * 2 * MemoryLayout<Float>.stride
        print("state: \(near.stateBytes) B with 1 ms delays, \(far.stateBytes) B with 6 ms ones (a ring would add \(ringBytes) B)")
        #expect(far.stateBytes < near.stateBytes + ringBytes / 4)
    }
}
