import SpikingEngine
import Testing
import TwinBuilder
import TwinFixtures

/// The synthetic subject at 3000 neurons, K = 40, with tract lengths (several delay groups).
private let twin = try! TwinNetwork(records: Synthetic.records(lengths: true), parameters: Synthetic.parameters(neurons: 3000, k: 40))

/// Mean in-degree and long-range counts per unit counted here from the synapses, independently of the library.
private func counted(_ t: TwinNetwork) -> (mean: [Double], longRange: [[Int]]) {
    let unitOf = t.populations.flatMap { Array(repeating: $0.unit, count: $0.size) }
    var inputs = [Int](repeating: 0, count: t.unitNames.count)
    var longRange = [[Int]](repeating: [Int](repeating: 0, count: t.unitNames.count), count: t.unitNames.count)
    for k in 0..<t.edges.count {
        let v = unitOf[Int(t.edges.post[k])], u = unitOf[Int(t.edges.pre[k])]
        inputs[v] += 1
        if u != v { longRange[v][t.unitGroups[u]] += 1 }
    }
    return (t.neuronCounts.indices.map { Double(inputs[$0]) / Double(t.neuronCounts[$0].reduce(0, +)) }, longRange)
}

/// The excitatory (or inhibitory) neurons of unit `v`.
private func neurons(of t: TwinNetwork, unit v: Int, excitatory: Bool = true) -> [Int] {
    t.populations.filter { $0.unit == v && $0.excitatory == excitatory }.flatMap { $0.firstNeuron..<($0.firstNeuron + $0.size) }
}

/// What `edit` throws, as text ("" when it throws nothing).
private func message(_ edit: () throws -> TwinNetwork) -> String {
    do {
        _ = try edit()
        return ""
    } catch {
        return "\(error)"
    }
}

/// The one place these tests drive the engine (its initialiser is changing): spikes of `twin` in
/// `duration` ms, and the synapses the engine built.
private func simulate(_ twin: TwinNetwork, duration: Double) -> (spikes: Int, synapses: Int) {
    let network = twin.networkBuilder().build(partitions: 2)
    let simulation = Simulation(network: network)
    simulation.run(duration: duration)
    return (simulation.spikeTotals.reduce(0, +), network.synapseCount)
}

@Suite("Twin network edits")
struct TwinEditingTests {
    /// Edits that change nothing give the built network back, figures included: counting them
    /// from the synapses agrees with what the builder recorded.
    @Test func editsThatChangeNothingGiveTheBuiltNetwork() throws {
        #expect(twin.removingSynapses { _ in false } == twin)
        #expect(try twin.rewiringSources { $0.pre } == twin)
        #expect(try twin.lesioning(from: [], to: ["unit4"]) == twin)
        #expect(counted(twin).mean == twin.meanInDegree && counted(twin).longRange == twin.longRangeCounts)
    }

    /// A lesion of the tracts from units 2 and 3 onto unit 4 removes exactly those synapses.
    @Test func lesionRemovesExactlyTheTract() throws {
        let edited = try twin.lesioning(from: ["unit2", "unit3"], to: ["unit4"])
        let removed = twin.longRangeCount(from: 2, to: 4) + twin.longRangeCount(from: 3, to: 4)
        #expect(removed > 0)
        #expect(edited.edges.count == twin.edges.count - removed)
        #expect(edited.longRangeCount(from: 2, to: 4) == 0 && edited.longRangeCount(from: 3, to: 4) == 0)
        var expected = twin.longRangeCounts
        expected[4][2] = 0; expected[4][3] = 0
        #expect(edited.longRangeCounts == expected)
        let neurons4 = Double(twin.neuronCounts[4].reduce(0, +))
        #expect(edited.meanInDegree[4] == (twin.meanInDegree[4] * neurons4 - Double(removed)) / neurons4)
        #expect(edited.meanInDegree.indices.allSatisfy { $0 == 4 || edited.meanInDegree[$0] == twin.meanInDegree[$0] })
        #expect(counted(edited).mean == edited.meanInDegree && counted(edited).longRange == edited.longRangeCounts)
        #expect(edited.populations == twin.populations && edited.inDegrees == twin.inDegrees, "built in-degrees stay")
        #expect(edited.summary.longRangeSynapses == twin.summary.longRangeSynapses - removed)
    }

    /// Silencing: no synapses onto some neurons (in-degree 0) and none out of a whole unit.
    @Test func silencingGivesNeuronsWithoutInputs() {
        let quiet = twin.populations.first { $0.unit == 6 }!.firstNeuron ..< twin.populations.first { $0.unit == 6 }!.firstNeuron + 10
        let edited = twin.removingSynapses { quiet.contains($0.post) || $0.sourceUnit == 7 }
        #expect(quiet.allSatisfy { edited.synapses(onto: $0).isEmpty && !twin.synapses(onto: $0).isEmpty })
        #expect(edited.longRangeCounts.allSatisfy { $0[7] == 0 } && twin.longRangeCounts.contains { $0[7] > 0 })
        #expect(edited.meanInDegree[7] < twin.meanInDegree[7], "unit 7 loses its local synapses too")
        #expect(counted(edited).mean == edited.meanInDegree && counted(edited).longRange == edited.longRangeCounts)
        let after = edited.synapses(onto: quiet.upperBound)
        #expect(after.lowerBound == edited.synapses(onto: quiet.lowerBound - 1).upperBound && !after.isEmpty)
    }

    /// Long-range sources moved to another unit take that tract's delay; one moved into the
    /// target's own unit becomes local.
    @Test func rewiringMovesSourcesAndDelays() throws {
        let far = neurons(of: twin, unit: 10), own = neurons(of: twin, unit: 4)
        let unitOf = twin.populations.flatMap { Array(repeating: $0.unit, count: $0.size) }
        let fromTwo = twin.edges.post.indices.filter { unitOf[Int(twin.edges.pre[$0])] == 2 && unitOf[Int(twin.edges.post[$0])] == 4 }
        let local = fromTwo[0]
        let edited = try twin.rewiringSources { s in
            guard s.sourceUnit == 2 && s.targetUnit == 4 else { return s.pre }
            return s.index == local ? own.first { $0 != s.post }! : far[s.index % far.count]
        }
        #expect(edited.edges.post == twin.edges.post && edited.edges.weight == twin.edges.weight)
        #expect(edited.longRangeCount(from: 2, to: 4) == 0)
        #expect(edited.longRangeCount(from: 10, to: 4) == twin.longRangeCount(from: 10, to: 4) + fromTwo.count - 1)
        #expect(edited.groups == twin.groups, "every delay of the synthetic subject is in use already")
        let delay = Double(twin.delaySteps![4][10]) * twin.parameters.dt
        #expect(fromTwo.dropFirst().allSatisfy { edited.groups[Int(edited.edges.group[$0])].delay == delay && edited.edges.group[$0] >= 2 })
        #expect(edited.edges.group[local] == 0)
        #expect(counted(edited).mean == edited.meanInDegree && counted(edited).longRange == edited.longRangeCounts)
    }

    /// Three subcortical units with tracts a–b and b–c only: sources moved from b to c give the
    /// synapses onto a a delay no synapse had, so a group is added for it.
    @Test func rewiringAddsAGroupForANewDelay() throws {
        let units = [("a", 0.0), ("b", 9.0), ("c", 60.0)].map {
            UnitRecord(name: $0.0, kind: .subcortical, grayMatterVolume: 1000, sv2a: 1, centroid: [$0.1, 0, 0])
        }
        let records = SubjectRecords(units: units, tractDensity: [[0, 1, 0], [1, 0, 1], [0, 1, 0]], v1Units: ["a"])
        let small = try TwinNetwork(records: records, parameters: Synthetic.parameters(neurons: 600, k: 20))
        #expect(small.groups.map(\.delay) == [1, 1, 3, 17], "9 mm and 51 mm at 3 mm/ms, 1 ms steps")
        let c = neurons(of: small, unit: 2)
        let edited = try small.rewiringSources { $0.targetUnit == 0 && $0.sourceUnit == 1 ? c[$0.index % c.count] : $0.pre }
        #expect(edited.groups.count == 5 && edited.groups[4].delay == 20 && edited.groups[4].channels == [0, 1])
        #expect(edited.longRangeCount(from: 2, to: 0) == small.longRangeCount(from: 1, to: 0) && edited.longRangeCount(from: 1, to: 0) == 0)
        #expect(edited.edges.pre.indices.allSatisfy { k in
            (edited.edges.group[k] == 4) == (edited.edges.pre[k] != small.edges.pre[k])
        })
        let run = simulate(edited, duration: 200)
        #expect(run.synapses == edited.edges.count && run.spikes > 0, "\(run)")
    }

    @Test func invalidEditsThrowOneLine() throws {
        #expect(message { try twin.lesioning(from: ["unit2"], to: ["nowhere"]) } == "unit nowhere is not one of the twin's units")
        #expect(message { try twin.rewiringSources { $0.index == 5 ? 3000 : $0.pre } }
            == "synapse 5 cannot come from neuron 3000: the twin has neurons 0 to 2999")
        #expect(message { try twin.rewiringSources { $0.index == 5 ? -1 : $0.pre } }
            == "synapse 5 cannot come from neuron -1: the twin has neurons 0 to 2999")
        let post5 = Int(twin.edges.post[5])
        #expect(message { try twin.rewiringSources { $0.index == 5 ? $0.post : $0.pre } }
            == "synapse 5 cannot come from neuron \(post5), its own target")

        let e = twin.edges.group.firstIndex(of: 0)!, i = twin.edges.group.firstIndex(of: 1)!
        let targetUnit = twin.populations.first { ($0.firstNeuron..<$0.firstNeuron + $0.size).contains(Int(twin.edges.post[e])) }!.unit
        let inhibitory = neurons(of: twin, unit: targetUnit, excitatory: false).first { $0 != Int(twin.edges.post[e]) }!
        #expect(message { try twin.rewiringSources { $0.index == e ? inhibitory : $0.pre } }
            == "synapse \(e) cannot move from excitatory neuron \(twin.edges.pre[e]) to inhibitory neuron \(inhibitory): a rewiring keeps a synapse's sign")
        let remote = neurons(of: twin, unit: 12, excitatory: false)[0]
        #expect(message { try twin.rewiringSources { $0.index == i ? remote : $0.pre } }
            == "synapse \(i) cannot come from inhibitory neuron \(remote) of another unit: inhibition is local")

        var p = Synthetic.parameters(neurons: 3000, k: 20)
        p.dwiFallback = DWIFallback.none
        let local = try TwinNetwork(records: Synthetic.records(dwi: false), parameters: p)
        let e0 = local.edges.group.firstIndex(of: 0)!, elsewhere = neurons(of: local, unit: 12)[0]
        #expect(message { try local.rewiringSources { $0.index == e0 ? elsewhere : $0.pre } }
            == "synapse \(e0) cannot come from another unit: the twin was built without tracts, so it has no long-range delays")

        struct StudyError: Error {}
        #expect(throws: StudyError.self) { try twin.removingSynapses { _ in throw StudyError() } }
    }

    /// An edited network (a lesion, silenced neurons, rewired sources) runs on the engine.
    @Test func editedNetworkSimulates() throws {
        let quiet = Set(neurons(of: twin, unit: 6).prefix(20))
        let far = neurons(of: twin, unit: 15)
        let edited = try twin.lesioning(from: ["unit2"], to: ["unit3", "unit4"])
            .removingSynapses { quiet.contains($0.post) }
            .rewiringSources { $0.sourceUnit == 5 && $0.targetUnit == 3 ? far[$0.index % far.count] : $0.pre }
        #expect(edited.edges.count < twin.edges.count)
        let run = simulate(edited, duration: 300)
        print("edited twin: \(edited.edges.count) synapses, \(run.spikes) spikes in 300 ms")
        #expect(run.synapses == edited.edges.count && run.spikes > 0)
    }
}
