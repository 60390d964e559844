import Foundation
import SpikingEngine
import Testing
import TwinBuilder
import TwinFixtures

@Suite("Twin builder rules")
struct RuleTests {
    @Test func largestRemainderIsExactAndProportional() {
        let quotas = [0.4, 2.5, 3.6, 1.5, 2.0]   // sums to 10
        // Floors 0,2,3,1,2 (8); the two left go to the largest fractions .6 (index 2) and .5 (index 1, the lower of the tie).
        #expect(TwinRules.largestRemainder(quotas, total: 10) == [0, 3, 4, 1, 2])
        // Index 0 is raised to the minimum (9 assigned) and drops out; the last goes to .6.
        #expect(TwinRules.largestRemainder(quotas, total: 10, minimum: 1) == [1, 2, 4, 1, 2])
        #expect(TwinRules.largestRemainder([0.2, 0.2, 0.2], total: 2, minimum: 1) == nil)
        let counts = try! TwinRules.neuronCounts(grayMatter: [1, 2, 3], shares: [[0.8, 0.2], [0.8, 0.2], [0.5, 0.5]], total: 1000)
        #expect(counts.joined().reduce(0, +) == 1000)
        #expect(counts == [[133, 33], [267, 67], [250, 250]])
    }

    /// degree_scale from the laminar table reproduces the note's degrees at K = 100 (the note's
    /// figures are 100·scale truncated: 61.75 → 61) and has neuron-weighted mean 1; about 25.6 %
    /// of synapses are long-range.
    @Test func laminarDegreeScales() {
        let t = ColumnTemplate.laminar
        let scales = TwinRules.degreeScales(t)
        print("laminar degree scales: \(scales)")
        #expect(scales.map { Int($0 * 100) } == [122, 61, 99, 57, 120, 52, 107, 48])
        let shares = t.normalisedShares
        #expect(abs(zip(scales, shares).reduce(0) { $0 + $1.0 * $1.1 } - 1) < 1e-12)
        let lr = TwinRules.longRangeShares(t)
        let overall = (0..<8).reduce(0) { $0 + lr[$1] * scales[$1] * shares[$1] }
        #expect(abs(overall - 0.256) < 0.005, "long-range share \(overall)")
        #expect(TwinRules.degreeScales(.subcortical).allSatisfy { abs($0 - 1) < 1e-12 })
        #expect(TwinRules.longRangeShares(.subcortical).allSatisfy { abs($0 - 2.0 / 7) < 1e-12 })
    }

    @Test func sv2aScalesAreRelativeToV1AndClipped() {
        let d: [Double] = [10, 12, 5, 20, 11]
        let open: [Double] = [10.0 / 11, 12.0 / 11, 5.0 / 11, 20.0 / 11, 1]
        let clipped: [Double] = [10.0 / 11, 12.0 / 11, 0.7, 1.3, 1]
        #expect(TwinRules.sv2aScales(densities: d, reference: [0, 1], clip: nil) == open)
        #expect(TwinRules.sv2aScales(densities: d, reference: [0, 1], clip: 0.7 ... 1.3) == clipped)
        #expect(TwinRules.inDegrees(meanInDegree: 100, unitScales: [1.1], degreeScales: [[1.22, 0.5]]) == [[134, 55]])
    }

    @Test func tractProbabilitiesAndDelays() {
        let p = TwinRules.tractProbabilities([[9, 1, 3], [0, 9, 0], [2, 2, 9]])
        #expect(p == [[0, 0.25, 0.75], [0, 0, 0], [0.5, 0.5, 0]])
        let lengths = TwinRules.centroidDistances([[0, 0, 0], [30, 40, 0], [0, 1, 0]])
        #expect(lengths[0][1] == 50 && lengths[1][0] == 50)
        // 50 mm at 5 m/s = 10 ms = 20 steps of 0.5 ms; 1 mm is under a step and rounds up to 1.
        #expect(TwinRules.delaySteps(lengths: lengths, speed: 5, dt: 0.5) == [[1, 20, 1], [20, 1, 20], [1, 20, 1]])
    }
}

@Suite("Twin builder on a synthetic subject")
struct TwinTests {
    @Test func neuronsFollowGrayMatter() {
        let twin = Synthetic.twin
        let records = Synthetic.records()
        let perUnit = twin.neuronCounts.map { Double($0.reduce(0, +)) }
        #expect(twin.neuronCount == 20_000)
        #expect(twin.neuronCounts.joined().reduce(0, +) == 20_000)
        #expect(twin.populations.reduce(0) { $0 + $1.size } == 20_000)
        let r = pearson(perUnit, records.units.map(\.grayMatterVolume))
        print("neurons per unit vs gray matter: r = \(r)")
        #expect(r > 0.99)
        #expect(twin.neuronCounts[0].count == 8 && twin.neuronCounts[19].count == 2)
        #expect(twin.neuronCounts.joined().allSatisfy { $0 >= 1 })
    }

    /// Mean in-degree per unit (counted from the synapses) follows SV2A relative to V1, clip off.
    @Test func inDegreeFollowsSV2A() {
        let twin = Synthetic.twin
        let records = Synthetic.records()
        var inputs = [Int](repeating: 0, count: Synthetic.unitCount)
        let unitOf = twin.populations.flatMap { Array(repeating: $0.unit, count: $0.size) }
        for post in twin.edges.post { inputs[unitOf[Int(post)]] += 1 }
        let measured = (0..<Synthetic.unitCount).map { Double(inputs[$0]) / Double(twin.neuronCounts[$0].reduce(0, +)) }
        for v in measured.indices { #expect(abs(measured[v] - twin.meanInDegree[v]) < 1e-9) }
        let r = pearson(measured, records.units.map { $0.sv2a! })
        print("mean in-degree per unit vs SV2A (no clip): r = \(r)")
        #expect(r > 0.95)
        #expect(twin.sv2aScales.contains { $0 < 0.7 } && twin.sv2aScales.contains { $0 > 1.3 })
        // V1 units sit at K.
        #expect(abs(twin.meanInDegree[0] - 100) < 3 && abs(twin.meanInDegree[1] - 100) < 3)
    }

    @Test func clippedScalesRespectBounds() throws {
        let twin = try TwinNetwork(records: Synthetic.records(), parameters: Synthetic.parameters(neurons: 4000, k: 40, clip: 0.7 ... 1.3))
        #expect(twin.sv2aScales.allSatisfy { (0.7 ... 1.3).contains($0) })
        #expect(twin.sv2aScales.contains(0.7) && twin.sv2aScales.contains(1.3))
        for v in 0..<Synthetic.unitCount {
            #expect(twin.meanInDegree[v] >= 40 * 0.7 - 2 && twin.meanInDegree[v] <= 40 * 1.3 + 2, "unit \(v): \(twin.meanInDegree[v])")
        }
    }

    /// Long-range synapse counts between unit pairs follow DWI tract density; they come only
    /// from E neurons of the other unit, with the long-range delay group.
    @Test func longRangeFollowsTractDensity() {
        let twin = Synthetic.twin
        let density = Synthetic.records().tractDensity!
        let p = TwinRules.tractProbabilities(density)
        var counts: [Double] = [], raw: [Double] = [], share: [Double] = [], prob: [Double] = []
        for v in 0..<Synthetic.unitCount {
            let total = Double(twin.longRangeCounts[v].reduce(0, +))
            for u in 0..<Synthetic.unitCount where u != v {
                counts.append(Double(twin.longRangeCount(from: u, to: v))); raw.append(density[v][u])
                share.append(Double(twin.longRangeCounts[v][u]) / total); prob.append(p[v][u])
            }
            #expect(twin.longRangeCounts[v][v] == 0)
        }
        // The rule's expectation: target v's long-range inputs (its neurons × in-degree × long-range
        // share, ∝ gray matter × SV2A) spread over sources ∝ P_vu. Raw tract density alone cannot
        // explain counts across target units whose totals differ ~10× (this subject varies gray
        // matter 4× and SV2A 2.6×), so the criterion is per target unit: row-normalised counts vs
        // P, and, within each target unit, counts vs tract density across its sources.
        var expected: [Double] = []
        for v in 0..<Synthetic.unitCount {
            let total = Double(twin.longRangeCounts[v].reduce(0, +))
            for u in 0..<Synthetic.unitCount where u != v { expected.append(total * p[v][u]) }
        }
        var perTarget: [Double] = []
        for v in 0..<Synthetic.unitCount {
            let sources = (0..<Synthetic.unitCount).filter { $0 != v }
            perTarget.append(pearson(sources.map { Double(twin.longRangeCounts[v][$0]) }, sources.map { density[v][$0] }))
        }
        let r = pearson(counts, raw), rNorm = pearson(share, prob), rExpected = pearson(counts, expected)
        print("long-range synapses per unit pair vs tract density: raw r = \(r); row-normalised r = \(rNorm); vs rule expectation r = \(rExpected); within target units r min \(perTarget.min()!) mean \(perTarget.reduce(0, +) / Double(perTarget.count))")
        #expect(rNorm > 0.9)
        #expect(rExpected > 0.99)
        #expect(perTarget.allSatisfy { $0 > 0.9 })
        #expect(r > 0.8)
        let lr = counts.reduce(0, +) / Double(twin.edges.count)
        print("long-range fraction of synapses: \(lr)")
        #expect(lr > 0.2 && lr < 0.32)

        let popOf = twin.populations.indices.flatMap { Array(repeating: $0, count: twin.populations[$0].size) }
        var remote = 0
        for k in 0..<twin.edges.count {
            let a = twin.populations[popOf[Int(twin.edges.pre[k])]], b = twin.populations[popOf[Int(twin.edges.post[k])]]
            if a.unit != b.unit {
                remote += 1
                #expect(a.excitatory && twin.edges.group[k] >= 2)
                if !a.excitatory || twin.edges.group[k] < 2 { break }
            } else {
                #expect(twin.edges.group[k] == (a.excitatory ? 0 : 1))
                if twin.edges.group[k] != (a.excitatory ? 0 : 1) { break }
            }
        }
        #expect(Double(remote) == counts.reduce(0, +))
    }

    /// Every neuron has exactly its population's in-degree, from distinct presynaptic neurons, none itself.
    @Test func fixedInDegreeDistinctNoSelf() {
        let twin = Synthetic.twin
        var start = 0
        for pop in twin.populations {
            for i in 0..<pop.size {
                let post = pop.firstNeuron + i
                let range = start ..< start + pop.inDegree
                let pres = twin.edges.pre[range]
                let ok = twin.edges.post[range].allSatisfy { Int($0) == post } && Set(pres).count == pop.inDegree
                    && !pres.contains(UInt32(post))
                #expect(ok, "neuron \(post)")
                if !ok { return }
                start += pop.inDegree
            }
        }
        #expect(start == twin.edges.count)
    }

    @Test func sameSeedSameNetworkOtherSeedDifferent() throws {
        let records = Synthetic.records(lengths: true)
        let a = try TwinNetwork(records: records, parameters: Synthetic.parameters(neurons: 6000, k: 60, seed: 3))
        let b = try TwinNetwork(records: records, parameters: Synthetic.parameters(neurons: 6000, k: 60, seed: 3))
        let c = try TwinNetwork(records: records, parameters: Synthetic.parameters(neurons: 6000, k: 60, seed: 4))
        #expect(a.edges == b.edges)
        #expect(a.edges.digest == b.edges.digest)
        #expect(try a.summaryJSON() == b.summaryJSON())
        #expect(a.edges.count == c.edges.count)   // counts are seed-free
        #expect(a.edges.pre != c.edges.pre && a.edges.digest != c.edges.digest)
        #expect(a.groups.count > 3)   // several delays from tract lengths
    }

    /// The engine builds and runs the twin; its synapses are the twin's.
    @Test func engineRunsTheTwin() throws {
        let twin = try TwinNetwork(records: Synthetic.records(), parameters: Synthetic.parameters(neurons: 3000, k: 40))
        let network = twin.makeNetwork(partitions: 2)
        #expect(network.neuronCount == 3000)
        #expect(network.synapseCount == twin.edges.count)
        #expect(network.populations.count == 16 * 8 + 4 * 2)
        #expect(network.maxDelay == twin.delaySteps!.joined().max()!)
        let sim = Simulation(network: network)
        sim.run(steps: 50)
        #expect(sim.step == 50)
    }

    @Test func fallbacksAreRecorded() throws {
        let records = Synthetic.records(sv2a: false, dwi: false)
        var p = Synthetic.parameters(neurons: 3000, k: 30)
        p.sv2aFallback = .uniform
        p.dwiFallback = .uniform
        let twin = try TwinNetwork(records: records, parameters: p)
        #expect(twin.fallbacks == FallbacksUsed(sv2a: .uniform, dwi: .uniform, delay: nil))
        #expect(twin.sv2aScales.allSatisfy { $0 == 1 })
        let decoded = try JSONDecoder().decode(TwinSummary.self, from: twin.summaryJSON())
        #expect(decoded == twin.summary)
        #expect(decoded.fallbacks.sv2a == .uniform && decoded.neurons == 3000 && decoded.synapses == twin.edges.count)
        #expect(decoded.units.map(\.neurons).reduce(0, +) == 3000)

        p.dwiFallback = DWIFallback.none
        let local = try TwinNetwork(records: records, parameters: p)
        #expect(local.longRangeCounts.joined().allSatisfy { $0 == 0 })
        #expect(local.delaySteps == nil && local.groups.count == 2)
        #expect(local.fallbacks.dwi == DWIFallback.none)
    }
}

@Suite("Twin builder bad input")
struct BadInputTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test func tooFewNeurons() {
        let text = message { _ = try TwinNetwork(records: Synthetic.records(), parameters: Synthetic.parameters(neurons: 100, k: 1)) }
        #expect(text.contains("N = 100") && text.contains("too few") && !text.contains("\n"), "\(text)")
    }

    @Test func inDegreeTooLarge() {
        var p = Synthetic.parameters(neurons: 600, k: 100)
        p.dwiFallback = DWIFallback.none
        let text = message { _ = try TwinNetwork(records: Synthetic.records(dwi: false), parameters: p) }
        #expect(text.contains("distinct presynaptic neurons") && text.contains("lower K") && !text.contains("\n"), "\(text)")
    }

    @Test func missingSV2AWithoutFallback() {
        let text = message { _ = try TwinNetwork(records: Synthetic.records(sv2a: false), parameters: Synthetic.parameters(neurons: 2000, k: 10)) }
        #expect(text.hasPrefix("SV2A PET") && text.contains("sv2a: uniform") && !text.contains("\n"), "\(text)")
        let dwi = message { _ = try TwinNetwork(records: Synthetic.records(dwi: false), parameters: Synthetic.parameters(neurons: 2000, k: 10)) }
        #expect(dwi.hasPrefix("DWI tract density is missing"), "\(dwi)")
    }

    @Test func dwiOfTheWrongSize() {
        var records = Synthetic.records()
        records.tractDensity!.removeLast()
        records.tractDensity = records.tractDensity!.map { Array($0.dropLast()) }
        let text = message { _ = try TwinNetwork(records: records, parameters: Synthetic.parameters(neurons: 2000, k: 10)) }
        #expect(text == "DWI tract density is 19×19, expected 20×20 (one row and column per unit or tract group)", "\(text)")
        var negative = Synthetic.records()
        negative.tractDensity![3][4] = -1
        let bad = message { _ = try TwinNetwork(records: negative, parameters: Synthetic.parameters(neurons: 2000, k: 10)) }
        #expect(bad.contains("[3][4] = -1.0"), "\(bad)")
    }

    @Test func otherBadRecords() {
        var records = Synthetic.records()
        records.v1Units = ["nowhere"]
        #expect(message { _ = try TwinNetwork(records: records, parameters: Synthetic.parameters(neurons: 2000, k: 10)) }
            == "V1 reference unit nowhere is not one of the subject's units")
        var zero = Synthetic.records()
        zero.units[5].grayMatterVolume = 0
        #expect(message { _ = try TwinNetwork(records: zero, parameters: Synthetic.parameters(neurons: 2000, k: 10)) }
            .contains("unit unit5: gray-matter volume 0.0"))
        #expect(message { _ = try TwinNetwork(records: SubjectRecords(units: []), parameters: Synthetic.parameters()) }
            == "the subject has no units to build a twin from")
    }
}
