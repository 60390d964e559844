import Foundation
import Recorders
import SpikingEngine
import Testing
import Workloads

/// Many simulations over one immutable network (ensemble members, study arms).
@Suite("Simulations sharing a network")
struct SharedNetworkTests {
    static func raster(_ network: Network, seed: UInt64? = nil, member: UInt32 = 0, ms: Double = 300) -> [RasterSpike] {
        let raster = SpikeRaster(neurons: 0..<network.neuronCount)
        Simulation(network: network, seed: seed, member: member, observers: [raster]).run(duration: ms)
        return raster.spikes
    }

    /// One network, two seeds: different spikes; with one seed, the spikes of a lone simulation of
    /// a network built for it; member 0 is the lone simulation, other members differ.
    @Test func seedsAndMembersKeyOnlyTheDynamics() {
        let shared = Workloads.dtbLaminar(neurons: 4000, units: 2, seed: 5).build(partitions: 2)
        let a = Self.raster(shared, seed: 11), b = Self.raster(shared, seed: 12)
        #expect(a.count > 100 && b.count > 100)
        #expect(a != b)
        // Explicit synapses copied from the shared network: the same wiring under another seed.
        #expect(Self.raster(shared, seed: 11) == a)
        #expect(Self.raster(shared, seed: 11, member: 0) == a)
        let member1 = Self.raster(shared, seed: 11, member: 1), member2 = Self.raster(shared, seed: 11, member: 2)
        #expect(member1 != a && member2 != a && member1 != member2)
        // Without a seed a simulation is keyed by the network's seed.
        #expect(Self.raster(shared) == Self.raster(shared, seed: 5))
    }

    /// Two simulations interleaved on one network give what each gives alone: they share no state.
    @Test func interleavedSimulationsDoNotInterfere() {
        let shared = Workloads.coba(neurons: 3000, seed: 3).build(partitions: 2)
        let alone = (Self.raster(shared, seed: 1, ms: 100), Self.raster(shared, seed: 2, ms: 100))
        let r1 = SpikeRaster(neurons: 0..<3000), r2 = SpikeRaster(neurons: 0..<3000)
        let s1 = Simulation(network: shared, seed: 1, observers: [r1]), s2 = Simulation(network: shared, seed: 2, observers: [r2])
        for _ in 0..<10 { s1.run(duration: 10); s2.run(duration: 10) }
        #expect(r1.spikes == alone.0 && r2.spikes == alone.1)
    }

    /// A second simulation of a network costs its state, not the synapses: its resident memory,
    /// measured, stays within its `stateBytes` (plus allocator slack), far below the synapse tables.
    @Test func aSecondSimulationCostsItsStateOnly() throws {
        let network = Workloads.dtbLaminar(neurons: 200_000, units: 4, seed: 2).build(partitions: 2)
        let first = Simulation(network: network)
        first.run(duration: 5)
        let before = try residentBytes()
        let second = Simulation(network: network, seed: 9)
        second.run(duration: 5)
        let grown = try residentBytes() - before
        print("second simulation: \(grown) B resident, stateBytes \(second.stateBytes), synapses \(network.synapseBytes) B")
        #expect(second.stateBytes < network.synapseBytes / 10)
        #expect(grown <= second.stateBytes + 8 << 20)
        #expect(grown >= second.stateBytes / 2)
        withExtendedLifetime((first, second)) {}
    }

    /// Resident set size of this process, from /proc/self/statm.
    func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        return Int(fields[1])! * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Per-population parameters set between windows, without rebuilding the network.
@Suite("Parameters between windows")
struct ParametersBetweenWindowsTests {
    /// An E/I network and its E population.
    static func network(conductanceScale g: Double = 1, gammaMean: Double = 0.4) -> (Network, PopulationID) {
        var b = NetworkBuilder(dt: 1, seed: 4)
        let m = NeuronModel.dtb2024
        let e = b.add(Population(name: "E", size: 800, model: m.with(conductances: m.conductances.map { $0 * g }),
                                 background: .dtbFast, external: .gamma(mean: gammaMean, shape: 5), unit: 0,
                                 initialPotential: -70 ... -50))
        let i = b.add(Population(name: "I", size: 200, model: m, background: .dtbFast, unit: 0, initialPotential: -70 ... -50))
        let exc = b.add(SynapseGroup(name: "E", channels: [0, 1], fullScale: [1, 1], delay: 1))
        let inh = b.add(SynapseGroup(name: "I", channels: [2, 3], fullScale: [1, 1], delay: 1))
        for target in [e, i] {
            b.connect(FixedInDegree(target: target, inDegree: 80, sources: [Source(e, share: 4, group: exc), Source(i, group: inh)],
                                    multapses: false, weights: .uniform))
        }
        return (b.build(partitions: 2), e)
    }

    static func run(_ sim: Simulation, ms: Double) -> [RasterSpike] {
        let raster = SpikeRaster(neurons: 0..<1000)
        sim.add(raster)
        sim.run(duration: ms)
        return raster.spikes
    }

    /// Conductances and a Gamma external mean set before the first window give exactly the run of a
    /// network built with them; set mid-run, they leave the earlier spikes alone and change the later.
    @Test func setParametersEqualsBuildingWithThem() {
        let target = Self.run(Simulation(network: Self.network(conductanceScale: 1.5, gammaMean: 0.5).0), ms: 400)
        let (base, e) = Self.network()
        let edited = Simulation(network: base)
        edited.setConductances(NeuronModel.dtb2024.conductances.map { $0 * 1.5 }, of: e)
        edited.setParameters(of: e, external: .gamma(mean: 0.5, shape: 5))
        #expect(Self.run(edited, ms: 400) == target)
        #expect(edited.populations[0].external == .gamma(mean: 0.5, shape: 5))

        let untouched = Self.run(Simulation(network: base), ms: 400)
        let midway = Simulation(network: base)
        let raster = SpikeRaster(neurons: 0..<1000)
        midway.add(raster)
        midway.run(duration: 200)
        midway.setParameters(of: e, external: .gamma(mean: 0.8, shape: 5))
        midway.run(duration: 200)
        let split = 200.0
        #expect(raster.spikes.filter { $0.time < split } == untouched.filter { $0.time < split })
        #expect(raster.spikes.filter { $0.time >= split }.count > untouched.filter { $0.time >= split }.count)
        #expect(base.populations[0].external == .gamma(mean: 0.4, shape: 5), "the shared network is unchanged")
    }
}
