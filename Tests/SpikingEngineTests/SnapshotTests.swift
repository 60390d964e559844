import Foundation
import Recorders
import SpikingEngine
import Testing
import Workloads

/// Checkpoints taken between windows resume exactly.
@Suite("Snapshots")
struct SnapshotTests {
    /// E/I with two delays (1 and 7 steps), so the delay ring holds arrivals across the checkpoint.
    static func delayed(partitions: Int) -> Network {
        var b = Workloads.coba(neurons: 2000, seed: 4)
        let far = b.add(SynapseGroup(name: "far", channels: [0], fullScale: [0.6], delay: 0.7))
        b.connect(FixedInDegree(target: b.populationID(0), inDegree: 10, sources: [Source(b.populationID(0), group: far)]))
        return b.build(partitions: partitions)
    }

    static func spikes(_ sim: Simulation, ms: Double) -> [RasterSpike] {
        let raster = SpikeRaster(neurons: 0..<sim.network.neuronCount)
        sim.add(raster)
        sim.run(duration: ms)
        return raster.spikes
    }

    /// Run 100 ms, snapshot, run 100 more; a new simulation restored from the snapshot (with the
    /// same or another partition count, after a parameter change) gives the same last 100 ms.
    @Test(arguments: ["coba+delays", "dtb"])
    func restoredSimulationContinuesExactly(workload: String) throws {
        func network(_ partitions: Int) -> Network {
            workload == "dtb" ? Workloads.dtbLaminar(neurons: 4000, units: 2, seed: 3).build(partitions: partitions)
                : Self.delayed(partitions: partitions)
        }
        let original = Simulation(network: network(2), seed: 8, member: 1)
        original.run(duration: 100)
        original.setParameters(of: original.network.populationID(0), external: .gamma(mean: 0.05, shape: 5))
        let checkpoint = original.snapshot()
        let expected = Self.spikes(original, ms: 100)
        #expect(expected.count > 100)
        for partitions in [2, 1, 3] {
            let resumed = Simulation(network: network(partitions), seed: 8, member: 1)
            try resumed.restore(checkpoint)
            #expect(Self.spikes(resumed, ms: 100) == expected, "\(partitions) partitions")
            #expect(resumed.spikeTotals == original.spikeTotals && resumed.step == original.step)
            #expect(Self.same(resumed.snapshot(), original.snapshot()))
        }
    }

    /// Equal snapshots, comparing potentials by bits (refractory neurons hold NaN-boxed counts).
    static func same(_ a: SimulationSnapshot, _ b: SimulationSnapshot) -> Bool {
        var x = a, y = b
        x.potentials = []; y.potentials = []
        return x == y && a.potentials.map(\.bitPattern) == b.potentials.map(\.bitPattern)
    }

    @Test func aSnapshotOfAnotherRunIsRefused() {
        let a = Simulation(network: Workloads.coba(neurons: 1000, seed: 1).build(partitions: 1), seed: 2)
        a.run(duration: 10)
        let other = Simulation(network: Workloads.coba(neurons: 1200, seed: 1).build(partitions: 1), seed: 2)
        #expect(throws: SnapshotError.self) { try other.restore(a.snapshot()) }
        let otherSeed = Simulation(network: a.network, seed: 3)
        #expect(throws: SnapshotError.self) { try otherSeed.restore(a.snapshot()) }
    }
}

