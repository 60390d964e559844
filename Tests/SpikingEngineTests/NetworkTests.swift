import Foundation
import Recorders
import SpikingEngine
import Workloads
import Testing

@Suite("Networks")
struct NetworkTests {
    /// The COBA benchmark network (80/20, K = 100, Poisson drive) settles in the asynchronous
    /// irregular state: rate in band, ISI CV near 1, and weak synchrony: the Fano factor of the
    /// population count, F = 1 + (N − 1)·c̄ for Poisson-like neurons, gives a mean pairwise count
    /// correlation c̄ far below synchronous regimes (c̄ ≳ 0.1).
    @Test func balancedNetworkIsAsynchronousIrregular() {
        let n = 10_000
        let raster = SpikeRaster(neurons: 0..<1000), counts = PopulationCounts()
        let sim = Simulation(network: Workloads.coba(neurons: n, seed: 6).build(), observers: [raster, counts])
        sim.run(duration: 1200)
        let warm = 200.0
        let spikes = raster.spikes.filter { $0.time >= warm }
        let rate = Double(spikes.count) / 1000 / ((sim.time - warm) / 1000)
        #expect(rate > 5 && rate < 30, "rate \(rate) Hz")
        var last: [Int: Double] = [:], intervals: [Int: [Double]] = [:]
        for s in spikes {
            if let t = last[s.neuron] { intervals[s.neuron, default: []].append(s.time - t) }
            last[s.neuron] = s.time
        }
        let cvs = intervals.values.filter { $0.count >= 5 }.map { isi in
            let m = isi.reduce(0, +) / Double(isi.count)
            return (isi.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(isi.count - 1)).squareRoot() / m
        }
        let cv = cvs.reduce(0, +) / Double(cvs.count)
        #expect(cv > 0.7 && cv < 1.5, "ISI CV \(cv)")
        // Population spike counts in 5 ms bins.
        let steps = counts.steps.dropFirst(Int(warm / 0.1)).map { Double($0.reduce(0, +)) }
        let bins = stride(from: 0, to: steps.count - 49, by: 50).map { steps[$0..<($0 + 50)].reduce(0, +) }
        let m = bins.reduce(0, +) / Double(bins.count)
        let fano = bins.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(bins.count - 1) / m
        let correlation = (fano - 1) / Double(n - 1)
        #expect(correlation < 0.01, "mean pairwise correlation \(correlation)")
    }

    /// Counter-based random numbers and canonical spike order: the partitioning changes nothing.
    @Test(arguments: ["coba", "dtb"])
    func sameSeedSameSpikesWhateverThePartitions(workload: String) {
        func run(_ partitions: Int) -> ([RasterSpike], [Double]) {
            let builder = workload == "coba" ? Workloads.coba(neurons: 3000, seed: 7)
                : Workloads.dtbLaminar(neurons: 6000, units: 3, seed: 7)
            let network = builder.build(partitions: partitions)
            let raster = SpikeRaster(neurons: 0..<network.neuronCount)
            let sim = Simulation(network: network, observers: [raster])
            sim.run(duration: workload == "coba" ? 200 : 500)
            return (raster.spikes, (0..<network.neuronCount).map { sim.potential(of: $0) })
        }
        let one = run(1), two = run(2), three = run(3)
        #expect(one.0.count > 100)
        #expect(one.0 == two.0 && one.0 == three.0)
        #expect(one.1 == two.1 && one.1 == three.1)
    }

    /// Binned delivery (used for large networks) applies the same additions in the same order
    /// as direct delivery: identical spikes and potentials, with one and with two partitions.
    @Test(arguments: ["coba", "dtb"])
    func binnedDeliveryEqualsDirectDelivery(workload: String) {
        func run(_ delivery: SpikeDelivery, partitions: Int) -> ([RasterSpike], [Double]) {
            let builder = workload == "coba" ? Workloads.coba(neurons: 3000, seed: 9)
                : Workloads.dtbLaminar(neurons: 6000, units: 3, seed: 9)
            let network = builder.build(partitions: partitions)
            let raster = SpikeRaster(neurons: 0..<network.neuronCount)
            let sim = Simulation(network: network, observers: [raster], delivery: delivery)
            sim.run(duration: workload == "coba" ? 200 : 500)
            return (raster.spikes, (0..<network.neuronCount).map { sim.potential(of: $0) })
        }
        let direct = run(.direct, partitions: 1)
        #expect(direct.0.count > 100)
        for partitions in [1, 2] {
            let binned = run(.binned, partitions: partitions)
            #expect(binned.0 == direct.0)
            #expect(binned.1 == direct.1)
        }
    }

    /// Runs that end inside an exchange window (13 steps at a time, windows of 10) alternate the
    /// spike buffers correctly: two partitions delivering concurrently give the one-partition spikes.
    /// (Window boundaries change the order of additions, so this is compared with the same schedule.)
    @Test func partialWindowsKeepTheBuffersApart() {
        func piecewise(_ partitions: Int) -> [RasterSpike] {
            let raster = SpikeRaster(neurons: 0..<3000)
            let simulation = Simulation(network: Workloads.coba(neurons: 3000, seed: 5).build(partitions: partitions), observers: [raster])
            for _ in 0..<100 { simulation.run(steps: 13) }
            return raster.spikes
        }
        let one = piecewise(1)
        #expect(one.count > 100)
        #expect(piecewise(2) == one)
    }

    /// Phase times account for the run: applying only happens with binned delivery, and every
    /// phase's time grows as the simulation goes on.
    @Test func phaseTimesFollowTheDelivery() {
        for delivery in [SpikeDelivery.direct, .binned] {
            let sim = Simulation(network: Workloads.coba(neurons: 3000, seed: 9).build(partitions: 2), delivery: delivery)
            sim.run(duration: 50)
            let first = sim.phaseTimes
            sim.run(duration: 50)
            let second = sim.phaseTimes - first
            #expect(first.delivery > 0 && second.delivery > 0 && first.update > 0 && second.update > 0)
            #expect(delivery == .direct ? first.applying == 0 && second.applying == 0 : first.applying > 0 && second.applying > 0)
        }
    }

    /// Fixed in-degree gives exactly N·K synapses; the compressed rows take at most 8 bytes each.
    @Test func synapsesAreCompact() {
        let network = Workloads.coba(neurons: 10_000, seed: 8).build(partitions: 2)
        #expect(network.synapseCount == 10_000 * 100)
        #expect(Double(network.synapseBytes) / Double(network.synapseCount) <= 8)
    }

    /// DTB sampling: no autapses and no repeated source per rule.
    @Test func dtbSamplingHasDistinctSources() {
        var b = NetworkBuilder(dt: 1, seed: 9)
        let p = b.add(Population(name: "P", size: 50, model: silent(.dtb2024)))
        let g = b.add(SynapseGroup(name: "E", channels: [0, 1], fullScale: [1, 1], delay: 1))
        b.connect(FixedInDegree(target: p, inDegree: 48, sources: [Source(p, group: g)], autapses: false,
                                multapses: false, weights: .uniform))
        #expect(b.build(partitions: 2).synapseCount == 50 * 48)
    }
}
