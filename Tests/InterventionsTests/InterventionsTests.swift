import Analyses
import Interventions
import Recorders
import SpikingEngine
import Testing
import TwinBuilder
import TwinFixtures

/// The synthetic subject at 3000 neurons, K = 40, with tract lengths (several delay groups).
private let twin = try! TwinNetwork(records: Synthetic.records(lengths: true), parameters: Synthetic.parameters(neurons: 3000, k: 40))
private let centroids = Synthetic.records().units.map { $0.centroid! }

private func unitOfNeuron(_ t: TwinNetwork) -> [Int] { t.populations.flatMap { Array(repeating: $0.unit, count: $0.size) } }

/// Per neuron, synapses onto it and from it.
private func degrees(_ t: TwinNetwork) -> (in: [Int], out: [Int]) {
    var into = [Int](repeating: 0, count: t.neuronCount), out = into
    for k in 0..<t.edges.count { into[Int(t.edges.post[k])] += 1; out[Int(t.edges.pre[k])] += 1 }
    return (into, out)
}

/// Directed (target, source) unit pairs joined by at least one long-range synapse.
private func connectedPairs(_ t: TwinNetwork) -> Set<[Int]> {
    let unit = unitOfNeuron(t)
    var pairs = Set<[Int]>()
    for k in 0..<t.edges.count where unit[Int(t.edges.pre[k])] != unit[Int(t.edges.post[k])] {
        pairs.insert([unit[Int(t.edges.post[k])], unit[Int(t.edges.pre[k])]])
    }
    return pairs
}

private func message(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}

@Suite("Interventions")
struct InterventionsTests {
    @Test func silencedUnitsHaveNoSynapsesAndNeverSpike() throws {
        let names = ["unit4", "unit5"]
        let treatment = Treatment([.silence(units: names)])
        let edited = try treatment.editedNetwork(twin, centroids: centroids, seed: 1)
        let unit = unitOfNeuron(edited)
        for k in 0..<edited.edges.count {
            #expect(![4, 5].contains(unit[Int(edited.edges.pre[k])]) && ![4, 5].contains(unit[Int(edited.edges.post[k])]))
        }
        let (network, silenced) = try treatment.network(of: twin, centroids: centroids, seed: 1, warmup: 0, seconds: 0.5, partitions: 2)
        #expect(silenced.count == twin.populations.filter { [4, 5].contains($0.unit) }.count)
        let simulation = Simulation(network: network, seed: 3)
        simulation.run(duration: 500)
        let spikes = zip(twin.populations, simulation.spikeTotals)
        #expect(spikes.filter { [4, 5].contains($0.0.unit) }.allSatisfy { $0.1 == 0 })
        #expect(spikes.filter { ![4, 5].contains($0.0.unit) }.reduce(0) { $0 + $1.1 } > 0)
    }

    @Test func nearestRewiringMovesSourcesToTheTargetsNearestUnits() throws {
        #expect(try Rewiring(probability: 0, neighbours: 3).applied(to: twin, centroids: centroids, seed: 5) == twin)
        let rewired = try Rewiring(probability: 1, neighbours: 3).applied(to: twin, centroids: centroids, seed: 5)
        func distance(_ a: Int, _ b: Int) -> Double { zip(centroids[a], centroids[b]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
        let nearest: [Set<Int>] = (0..<centroids.count).map { v in
            Set((0..<centroids.count).filter { $0 != v }.sorted { distance($0, v) < distance($1, v) }.prefix(3))
        }
        let unit = unitOfNeuron(rewired)
        var longRange = 0
        for k in 0..<rewired.edges.count where unit[Int(rewired.edges.pre[k])] != unit[Int(rewired.edges.post[k])] {
            longRange += 1
            #expect(nearest[unit[Int(rewired.edges.post[k])]].contains(unit[Int(rewired.edges.pre[k])]))
        }
        #expect(longRange == twin.longRangeCounts.joined().reduce(0, +))
        #expect(degrees(rewired).in == degrees(twin).in)
        // Half the synapses: the others keep their sources; the draws follow the seed.
        let half = try Rewiring(probability: 0.5, neighbours: 3).applied(to: twin, centroids: centroids, seed: 5)
        let moved = (0..<twin.edges.count).filter { half.edges.pre[$0] != twin.edges.pre[$0] }.count
        #expect(Double(moved) > 0.35 * Double(longRange) && Double(moved) < 0.55 * Double(longRange))
        #expect(try Rewiring(probability: 0.5, neighbours: 3).applied(to: twin, centroids: centroids, seed: 5) == half)
    }

    @Test func degreePreservingRewiringKeepsEveryDegree() throws {
        let rewired = try Rewiring(model: .degreePreserving, probability: 1).applied(to: twin, centroids: centroids, seed: 9)
        #expect(degrees(rewired).in == degrees(twin).in && degrees(rewired).out == degrees(twin).out)
        #expect(rewired.edges.pre != twin.edges.pre)
        let unit = unitOfNeuron(rewired)
        let longRange = (0..<rewired.edges.count).filter { unit[Int(rewired.edges.pre[$0])] != unit[Int(rewired.edges.post[$0])] }.count
        #expect(longRange == twin.longRangeCounts.joined().reduce(0, +))
    }

    @Test func erdosRenyiRewiringKeepsTheDensity() throws {
        let rewired = try Rewiring(model: .erdosRenyi, probability: 1).applied(to: twin, centroids: centroids, seed: 9)
        #expect(connectedPairs(rewired).count == connectedPairs(twin).count)
        // The synthetic twin's tracts join every pair, so the random graph is complete too; the
        // synapses are spread evenly over it instead of by tract density.
        #expect(rewired.longRangeCounts != twin.longRangeCounts)
        #expect(degrees(rewired).in == degrees(twin).in)
    }

    @Test func receptorChangesScaleOneChannelWhereAsked() throws {
        let change = Treatment([.receptor(change: ReceptorChange(channel: .nmda, factor: 0.5, units: ["unit3"]))])
        let (network, _) = try change.network(of: twin, centroids: centroids, seed: 1, warmup: 0, seconds: 1, partitions: 1)
        let built = twin.networkBuilder().build(partitions: 1)
        for (p, pop) in twin.populations.enumerated() {
            let g = network.populations[p].model.conductances, g0 = built.populations[p].model.conductances
            #expect(g[1] == (pop.unit == 3 ? g0[1] * 0.5 : g0[1]) && g[0] == g0[0] && g[2] == g0[2])
        }
        // A map weights the change: the lowest-valued unit keeps its g, the highest takes the whole factor.
        let map = Dictionary(uniqueKeysWithValues: twin.unitNames.enumerated().map { ($1, Double($0)) })
        let weighted = Treatment([.receptor(change: ReceptorChange(channel: .ampa, factor: 0, map: map))])
        let (mapped, _) = try weighted.network(of: twin, centroids: centroids, seed: 1, warmup: 0, seconds: 1, partitions: 1)
        let first = twin.populations.firstIndex { $0.unit == 0 }!, last = twin.populations.lastIndex { $0.unit == 19 }!
        #expect(mapped.populations[first].model.conductances[0] == built.populations[first].model.conductances[0])
        #expect(mapped.populations[last].model.conductances[0] == 0)
    }

    /// A stimulus is added to the external current: on a population without one it is exactly a
    /// `.timeCourse` external current (bit-identical spikes).
    @Test func aStimulusAddsToTheExternalCurrent() throws {
        let samples = (0..<3000).map { $0 % 8 == 0 ? 0.8 : 0 }
        func spikes(_ change: (inout Population) -> Void) -> [Int] {
            var builder = twin.networkBuilder()
            for p in 0..<builder.populations.count where twin.populations[p].unit == 2 { builder.update(population: p, change) }
            let simulation = Simulation(network: builder.build(partitions: 2), seed: 4)
            simulation.run(duration: 300)
            return simulation.spikeTotals
        }
        let stimulated = spikes { $0.stimulus = Stimulus(samples: samples, interval: twin.parameters.dt) }
        #expect(stimulated == spikes { $0.external = .timeCourse(samples, interval: twin.parameters.dt) })
        #expect(stimulated != spikes { _ in })
    }

    /// Depolarising 125 Hz pulses raise the stimulated unit's rate and put its activity's power
    /// at 125 Hz above the untreated run's.
    @Test func pulsesRaiseTheRateAndThePowerAtTheirFrequency() throws {
        let pulses = Stimulation(units: ["unit2"], waveform: .pulses(frequency: 125, width: 1, amplitude: 6))
        let stimulus = try pulses.stimulus(dt: 1, warmup: 0.5, seconds: 1)
        #expect(stimulus.samples.count == 1500 && stimulus.samples.prefix(500).allSatisfy { $0 == 0 })
        #expect(stimulus.samples[500] == 6 && stimulus.samples[501] == 0 && stimulus.samples[508] == 6)
        let plan = RunPlan(warmup: 0.5, seconds: 2, repetitionTime: 0.5, bold: .dtb)
        func run(_ interventions: [Intervention]) throws -> TreatedRunResult {
            let built = try Treatment(interventions).network(of: twin, centroids: centroids, seed: 1, warmup: 0.5, seconds: 2, partitions: 2)
            return try plan.run(built.network, silenced: built.silenced, seed: 7)
        }
        var long = pulses
        long.offset = nil
        let (control, treated) = (try run([]), try run([.stimulate(stimulation: long)]))
        #expect(treated.unitRates[2] > control.unitRates[2] * 1.2)
        func power(_ r: TreatedRunResult) -> Double {
            let psd = WelchSpectrum((0..<r.bins).map { Double(r.activity[$0 * 20 + 2]) }, samplingRate: 1000)!
            return psd.density[psd.frequencies.firstIndex { abs($0 - 125) < 1e-9 } ?? psd.frequencies.indices.min { abs(psd.frequencies[$0] - 125) < abs(psd.frequencies[$1] - 125) }!]
        }
        #expect(power(treated) > 10 * power(control))
        #expect(control.bold.count == 4 && control.bins == 2000)
    }

    @Test func badValuesAreOneLineErrors() {
        func refused(_ i: Intervention, _ fragment: String) {
            let text = message { try Treatment([i]).check(against: twin, warmup: 0, seconds: 2) }
            #expect(text.contains(fragment) && !text.contains("\n"), "\(text)")
        }
        refused(.rewire(rewiring: Rewiring(probability: 1.5)), "give P from 0 to 1")
        refused(.rewire(rewiring: Rewiring(probability: 0.5, neighbours: 20)), "give 1 to 19")
        refused(.silence(units: ["nowhere"]), "region nowhere is not one of the twin's units")
        refused(.lesion(from: [], to: ["unit2"]), "empty set of regions")
        refused(.stimulate(stimulation: Stimulation(units: ["unit2"], waveform: .pulses(frequency: -5, width: 1, amplitude: 1))), "positive frequency")
        refused(.stimulate(stimulation: Stimulation(units: ["unit2"], waveform: .pulses(frequency: 125, width: 8, amplitude: 1))), "narrower than its period")
        refused(.stimulate(stimulation: Stimulation(units: ["unit2"], waveform: .pulses(frequency: 125, width: -1, amplitude: 1))), "positive width")
        refused(.stimulate(stimulation: Stimulation(units: ["unit2"], waveform: .sine(frequency: 600, amplitude: 1))), "below 500 Hz")
        refused(.stimulate(stimulation: Stimulation(units: ["unit2"], waveform: .constant(amplitude: 1), onset: 1, offset: 0.5)), "after the onset")
        refused(.receptor(change: ReceptorChange(channel: .gabaa, factor: -1)), "factor of 0 or more")
    }
}
