import Dispatch
import Foundation
import Primitives
import SpikingEngine

/// One population of a twin, in the engine's order (units in record order, populations in
/// template order); neurons are numbered globally in that order.
public struct TwinPopulation: Sendable, Codable, Equatable {
    public var unit: Int
    public var name: String
    public var size: Int
    /// Global index of the population's first neuron.
    public var firstNeuron: Int
    /// Synapses onto each of its neurons as built (the nominal in-degree the rules gave it). An
    /// edited network keeps the built figure; its neurons' actual inputs are
    /// ``TwinNetwork/synapses(onto:)`` and may be any number, 0 included.
    public var inDegree: Int
    public var excitatory: Bool

    public init(unit: Int, name: String, size: Int, firstNeuron: Int, inDegree: Int, excitatory: Bool) {
        self.unit = unit; self.name = name; self.size = size; self.firstNeuron = firstNeuron
        self.inDegree = inDegree; self.excitatory = excitatory
    }
}

/// Every synapse of a twin, sorted by target neuron: as built, in canonical order (target unit,
/// target population, target neuron, draw); edits keep the order of the synapses they leave (the
/// full invariant: ``TwinNetwork/synapses(onto:)``). Weights are two 8-bit fractions of full
/// scale (low byte: AMPA or GABAa, high byte: NMDA or GABAb); `group` indexes ``TwinNetwork/groups``.
public struct TwinEdges: Sendable, Equatable {
    public var pre: [UInt32] = []
    public var post: [UInt32] = []
    public var weight: [UInt16] = []
    public var group: [UInt8] = []
    public var count: Int { pre.count }

    public init(pre: [UInt32] = [], post: [UInt32] = [], weight: [UInt16] = [], group: [UInt8] = []) {
        precondition(pre.count == post.count && post.count == weight.count && weight.count == group.count)
        self.pre = pre; self.post = post; self.weight = weight; self.group = group
    }

    /// FNV-1a (64-bit) over the four arrays: equal digests ⇔ (practically) equal connectivity.
    /// A fingerprint for tests and caches, not a cryptographic checksum.
    public var digest: UInt64 {
        var h = FNV1a64()
        h.add(word: UInt64(count))
        for k in 0..<count {
            h.add(word: UInt64(pre[k]) | UInt64(post[k]) << 32)
            h.add(word: UInt64(weight[k]) | UInt64(group[k]) << 16)
        }
        return h.value
    }
}

/// Which fallbacks a build used in place of missing modalities (nil: the subject's own data).
public struct FallbacksUsed: Sendable, Codable, Equatable {
    public var sv2a: SV2AFallback?
    public var dwi: DWIFallback?
    public var delay: DelayFallback?

    public init(sv2a: SV2AFallback? = nil, dwi: DWIFallback? = nil, delay: DelayFallback? = nil) {
        self.sv2a = sv2a; self.dwi = dwi; self.delay = delay
    }
}

/// A unit's line in the summary.
public struct UnitSummary: Sendable, Codable, Equatable {
    public var name: String
    public var kind: UnitKind
    public var neurons: Int
    /// Neurons and built (nominal) in-degree per population, in template order.
    public var populationNeurons: [Int]
    public var populationInDegrees: [Int]
    /// Synapses onto the unit per neuron, counted from the synapses.
    public var meanInDegree: Double
    public var sv2aScale: Double
    /// Long-range synapses onto the unit (counted from the synapses, so edits show here).
    public var longRangeInputs: Int
}

/// What a twin version records about its network (JSON-encodable).
public struct TwinSummary: Sendable, Codable, Equatable {
    public var neurons: Int
    public var synapses: Int
    public var longRangeSynapses: Int
    public var populationNames: [String: [String]]
    public var units: [UnitSummary]
    public var fallbacks: FallbacksUsed
    public var parameters: BuildParameters
    /// ``TwinEdges/digest`` in hex.
    public var edgeDigest: String
    /// See ``TwinNetwork/undersizedLocalPools``.
    public var undersizedLocalPools: Int
}

/// A subject's personal network: explicit synapses plus the counts the scaling rules produced.
public struct TwinNetwork: Sendable, Equatable {
    public let unitNames: [String]
    public let unitKinds: [UnitKind]
    public let parameters: BuildParameters
    public let populations: [TwinPopulation]
    /// Neurons per unit and population (template order).
    public let neuronCounts: [[Int]]
    /// Built (nominal) in-degree per unit and population, as ``TwinPopulation/inDegree``; an edit
    /// leaves it as built.
    public let inDegrees: [[Int]]
    /// Synapses onto each unit per neuron of the unit, counted from ``edges`` (after an edit, of
    /// the edited synapses).
    public let meanInDegree: [Double]
    /// SV2A scale s_v per unit (after the clip; 1 under the uniform fallback).
    public let sv2aScales: [Double]
    /// The tract group (row and column of the DWI matrix) of each unit; `0..<units` at region level.
    public let unitGroups: [Int]
    /// Long-range synapses, `[target unit][source tract group]` (rows like the DWI matrix): those
    /// whose source neuron lies in another unit than their target, counted from ``edges``.
    public let longRangeCounts: [[Int]]
    /// Long-range delay in steps, `[target group][source group]`; nil when units are not connected.
    public let delaySteps: [[Int]]?
    /// Synapse groups: 0 local E→ (AMPA+NMDA), 1 local I→ (GABAa+GABAb), then one long-range E→
    /// group per distinct delay (in step order as built; a rewiring appends one for a delay no
    /// synapse had).
    public let groups: [SynapseGroup]
    /// Every synapse, sorted by target neuron (the invariant: ``synapses(onto:)``); in a slice
    /// (``targets``), only those onto its targets.
    public let edges: TwinEdges
    /// The neurons whose incoming synapses ``edges`` holds: every neuron, unless the network was
    /// loaded as one process's slice of a network shared over processes (the loader's `targets`).
    /// Everything else in a slice is the whole network's; its figures are checked with the other
    /// slices' (``checkFigures(summed:)``), and it is for running, not for editing or summaries.
    public let targets: Range<Int>
    public let fallbacks: FallbacksUsed

    public var neuronCount: Int { populations.last.map { $0.firstNeuron + $0.size } ?? 0 }

    /// Long-range synapses from tract group `source` (at region level: unit `source`) onto unit `target`.
    public func longRangeCount(from source: Int, to target: Int) -> Int { longRangeCounts[target][source] }

    /// Builds the twin: applies the four rules, then draws every synapse. Throws a one-line
    /// ``TwinBuildError`` for bad records or parameters.
    public init(records: SubjectRecords, parameters p: BuildParameters) throws {
        try p.validate()
        let units = records.units
        let n = units.count
        guard n > 0 else { throw TwinBuildError.noUnits }
        var seen = Set<String>()
        for u in units {
            guard seen.insert(u.name).inserted else { throw TwinBuildError.duplicateUnit(u.name) }
            guard u.grayMatterVolume.isFinite, u.grayMatterVolume > 0 else {
                throw TwinBuildError.invalidUnit(unit: u.name, field: "gray-matter volume", value: "\(u.grayMatterVolume)")
            }
        }
        guard p.neurons <= Int(UInt32.max) else {
            throw TwinBuildError.invalidParameter("N = \(p.neurons) exceeds the 2³² neurons one twin network can index")
        }

        // SV2A (rule 2).
        var fallbacks = FallbacksUsed()
        let scales: [Double]
        if units.allSatisfy({ $0.sv2a != nil }) {
            for u in units where !(u.sv2a!.isFinite && u.sv2a! > 0) {
                throw TwinBuildError.invalidUnit(unit: u.name, field: "SV2A density", value: "\(u.sv2a!)")
            }
            guard !records.v1Units.isEmpty else {
                throw TwinBuildError.invalidParameter("no V1 units were named for the SV2A reference")
            }
            let index = Dictionary(uniqueKeysWithValues: units.enumerated().map { ($1.name, $0) })
            let v1 = try records.v1Units.map { name in
                guard let i = index[name] else { throw TwinBuildError.unknownV1Unit(name) }
                return i
            }
            scales = TwinRules.sv2aScales(densities: units.map { $0.sv2a! }, reference: v1, clip: p.sv2aClip)
        } else if let f = p.sv2aFallback {
            fallbacks.sv2a = f
            scales = Array(repeating: 1, count: n)
        } else {
            let missing = units.filter { $0.sv2a == nil }.count
            throw TwinBuildError.missingModality(modality: "SV2A PET (\(missing) of \(n) units)", fallback: "sv2a: uniform")
        }

        // DWI (rule 3) and delays (rule 4), between tract groups (units, or regions at voxel level).
        let (groupOf, groupCount) = try records.groups()
        var tracts: [[Double]]?
        if let d = records.tractDensity {
            try Self.check(d, name: "DWI tract density", units: groupCount)
            tracts = TwinRules.tractProbabilities(d)
        } else if let f = p.dwiFallback {
            fallbacks.dwi = f
            tracts = f == .uniform ? TwinRules.tractProbabilities(TwinRules.uniformTracts(units: groupCount)) : nil
        } else {
            throw TwinBuildError.missingModality(modality: "DWI tract density", fallback: "dwi: uniform or none")
        }
        if groupCount < 2 { tracts = nil }
        var delays: [[Int]]?
        if tracts != nil {
            if let l = records.tractLength {
                try Self.check(l, name: "tract length", units: groupCount)
                delays = TwinRules.delaySteps(lengths: l, speed: p.conductionSpeed, dt: p.dt)
            } else if units.allSatisfy({ $0.centroid != nil }) {
                let c = units.map { $0.centroid! }
                guard c.allSatisfy({ $0.count == c[0].count && $0.allSatisfy(\.isFinite) }) else {
                    throw TwinBuildError.invalidParameter("unit centroids must all have the same number of finite coordinates")
                }
                let centroids = TwinRules.groupCentroids(c, groups: groupOf, count: groupCount)
                delays = TwinRules.delaySteps(lengths: TwinRules.centroidDistances(centroids), speed: p.conductionSpeed, dt: p.dt)
            } else if let f = p.delayFallback {
                fallbacks.delay = f
                delays = Array(repeating: Array(repeating: 1, count: groupCount), count: groupCount)
            } else {
                throw TwinBuildError.missingModality(modality: "tract lengths and unit centroids", fallback: "delay: oneStep")
            }
        }

        // Neurons (rule 1) and in-degrees (rule 2).
        let templates = units.map { p.template(for: $0.kind) }
        let counts = try TwinRules.neuronCounts(grayMatter: units.map(\.grayMatterVolume),
                                                shares: templates.map(\.normalisedShares), total: p.neurons)
        let corticalScales = TwinRules.degreeScales(p.cortical), subcorticalScales = TwinRules.degreeScales(p.subcortical)
        let degrees = TwinRules.inDegrees(meanInDegree: p.meanInDegree, unitScales: scales,
                                          degreeScales: units.map { $0.kind == .cortical ? corticalScales : subcorticalScales })

        // Layout and synapse groups.
        var populations: [TwinPopulation] = []
        var first: [[Int]] = []
        var next = 0
        for v in 0..<n {
            let t = templates[v]
            first.append(counts[v].map { c in defer { next += c }; return next })
            for q in 0..<t.count {
                populations.append(TwinPopulation(unit: v, name: t.names[q], size: counts[v][q], firstNeuron: first[v][q],
                                                  inDegree: degrees[v][q], excitatory: t.excitatory[q]))
            }
        }
        var groups = [SynapseGroup(name: "local E→AMPA+NMDA", channels: [0, 1], fullScale: [1, 1], delay: p.dt),
                      SynapseGroup(name: "local I→GABAa+GABAb", channels: [2, 3], fullScale: [1, 1], delay: p.dt)]
        var groupOfDelay: [Int: UInt8] = [:]
        if let P = tracts, let d = delays {
            var used = Set<Int>()
            for v in 0..<groupCount { for u in 0..<groupCount where P[v][u] > 0 { used.insert(d[v][u]) } }
            guard used.count <= 254 else { throw TwinBuildError.tooManyDelays(distinct: used.count, limit: 254) }
            for steps in used.sorted() {
                groupOfDelay[steps] = UInt8(groups.count)
                groups.append(Self.longRangeGroup(steps: steps, dt: p.dt))
            }
        }

        // Distinct presynaptic neurons each population can draw from.
        let excitatoryTotal = (0..<n).map { v in (0..<templates[v].count).reduce(0) { $0 + (templates[v].excitatory[$1] ? counts[v][$1] : 0) } }
        let sources = SourceGroups(groupOf: groupOf, count: groupCount, excitatory: excitatoryTotal)
        let remoteOfGroup = (0..<groupCount).map { g in
            tracts.map { P in (0..<groupCount).reduce(0) { $0 + (P[g][$1] > 0 ? sources.excitatory[$1] : 0) } } ?? 0
        }
        for v in 0..<n {
            let t = templates[v]
            let remote = remoteOfGroup[groupOf[v]]
            for q in 0..<t.count where degrees[v][q] > 0 {
                var available = (0..<t.count).reduce(0) { $0 + (t.local[q][$1] > 0 ? counts[v][$1] : 0) }
                if t.local[q][q] > 0 { available -= 1 }
                if t.longRange[q] > 0 { available += remote }
                guard degrees[v][q] <= available else {
                    throw TwinBuildError.inDegreeTooLarge(unit: units[v].name, population: t.names[q],
                                                          requested: degrees[v][q], available: available)
                }
            }
        }

        // Sampling, one unit per task, each writing its exactly known share of the edge arrays;
        // counter-based draws make the result independent of threads.
        let context = Sampler(seed: p.seed, templates: templates, counts: counts, first: first, degrees: degrees,
                              tracts: tracts, delays: delays, groupOfDelay: groupOfDelay, sources: sources)
        var start = [0]
        for v in 0..<n { start.append(start[v] + zip(counts[v], degrees[v]).reduce(0) { $0 + $1.0 * $1.1 }) }
        let offsets = start
        var edges = TwinEdges(pre: [UInt32](repeating: 0, count: offsets[n]), post: [UInt32](repeating: 0, count: offsets[n]),
                              weight: [UInt16](repeating: 0, count: offsets[n]), group: [UInt8](repeating: 0, count: offsets[n]))
        nonisolated(unsafe) var longRange = [[Int]](repeating: [], count: n)
        edges.pre.withUnsafeMutableBufferPointer { pre in
            edges.post.withUnsafeMutableBufferPointer { post in
                edges.weight.withUnsafeMutableBufferPointer { weight in
                    edges.group.withUnsafeMutableBufferPointer { group in
                        longRange.withUnsafeMutableBufferPointer { out in
                            let sink = EdgeSink(pre: pre.baseAddress, post: post.baseAddress, weight: weight.baseAddress,
                                                group: group.baseAddress)
                            nonisolated(unsafe) let out = out
                            DispatchQueue.concurrentPerform(iterations: n) { v in
                                out[v] = context.sample(unit: v, into: sink.advanced(by: offsets[v]))
                            }
                        }
                    }
                }
            }
        }

        unitNames = units.map(\.name)
        unitKinds = units.map(\.kind)
        parameters = p
        self.populations = populations
        neuronCounts = counts
        inDegrees = degrees
        meanInDegree = (0..<n).map { v in
            Double(zip(counts[v], degrees[v]).reduce(0) { $0 + $1.0 * $1.1 }) / Double(counts[v].reduce(0, +))
        }
        sv2aScales = scales
        unitGroups = groupOf
        longRangeCounts = longRange
        delaySteps = delays
        self.groups = groups
        self.edges = edges
        self.fallbacks = fallbacks
        targets = 0..<p.neurons
    }

    /// The long-range group of a delay of `steps` steps (also what a rewiring adds for a new delay).
    static func longRangeGroup(steps: Int, dt: Double) -> SynapseGroup {
        SynapseGroup(name: "long-range E→AMPA+NMDA \(steps) steps", channels: [0, 1], fullScale: [1, 1], delay: Double(steps) * dt)
    }

    static func check(_ m: [[Double]], name: String, units n: Int) throws {
        guard m.count == n, m.allSatisfy({ $0.count == n }) else {
            throw TwinBuildError.matrixShape(name: name, rows: m.count, columns: m.isEmpty ? [0] : m.map(\.count), units: n)
        }
        for (i, row) in m.enumerated() {
            for (j, x) in row.enumerated() where !(x.isFinite && x >= 0) {
                throw TwinBuildError.invalidMatrix(name: name, row: i, column: j, value: x)
            }
        }
    }

    // MARK: Engine and summary

    /// The engine description of this network: one population per twin population (named
    /// "unit.population", its unit recorded), the groups, and the synapses as one compact list
    /// sharing the edge arrays' storage.
    /// `seed` keys the dynamics (initial potentials, background noise); the synapses are fixed.
    public func networkBuilder(seed: UInt64? = nil) -> NetworkBuilder {
        let p = parameters
        var b = NetworkBuilder(dt: p.dt, seed: seed ?? p.seed)
        for (pop, g) in zip(populations, populationConductances) {
            b.add(Population(name: "\(unitNames[pop.unit]).\(pop.name)", size: pop.size,
                             model: p.model.with(conductances: g),
                             background: p.background, unit: pop.unit,
                             initialPotential: p.model.leakReversal ... p.model.threshold))
        }
        for group in groups { b.add(group) }   // group g gets engine index g
        b.connect(SynapseList(pre: edges.pre, post: edges.post, weight: edges.weight, group: edges.group))
        return b
    }

    /// Receptor conductances g (AMPA, NMDA, GABAa, GABAb) of each population as the engine uses
    /// them: its template's, times the excitatory or inhibitory scale.
    public var populationConductances: [[Double]] {
        let p = parameters
        let factors = [p.excitatoryScale, p.excitatoryScale, p.inhibitoryScale, p.inhibitoryScale]
        return populations.map { pop in
            let t = unitKinds[pop.unit] == .cortical ? p.cortical : p.subcortical
            return zip(t.conductances[t.names.firstIndex(of: pop.name)!], factors).map { $0 * $1 }
        }
    }

    /// The engine network, built in `partitions` partitions.
    public func makeNetwork(partitions: Int = defaultThreadCount) -> Network {
        networkBuilder().build(partitions: partitions)
    }

    /// How many (unit, population, local source population) triples expect more distinct inputs
    /// (in-degree × the table's share) than the source population has neurons. Without multapses
    /// the sampler cannot honour those shares and their inputs shift to the unit's other sources,
    /// which changes the E/I balance; raise N (or lower K) until this is 0.
    public var undersizedLocalPools: Int {
        var count = 0
        for pop in populations where pop.inDegree > 0 {
            let t = parameters.template(for: unitKinds[pop.unit])
            let q = t.names.firstIndex(of: pop.name)!
            let row = t.local[q].reduce(0, +) + (longRangeCounts[pop.unit].contains { $0 > 0 } ? t.longRange[q] : 0)
            for r in 0..<t.count where t.local[q][r] > 0 {
                let pool = neuronCounts[pop.unit][r] - (r == q ? 1 : 0)
                if Double(pop.inDegree) * t.local[q][r] / row > Double(pool) { count += 1 }
            }
        }
        return count
    }

    public var summary: TwinSummary {
        TwinSummary(
            neurons: neuronCount, synapses: edges.count,
            longRangeSynapses: longRangeCounts.joined().reduce(0, +),
            populationNames: ["cortical": parameters.cortical.names, "subcortical": parameters.subcortical.names],
            units: unitNames.indices.map { v in
                UnitSummary(name: unitNames[v], kind: unitKinds[v], neurons: neuronCounts[v].reduce(0, +),
                            populationNeurons: neuronCounts[v], populationInDegrees: inDegrees[v],
                            meanInDegree: meanInDegree[v], sv2aScale: sv2aScales[v],
                            longRangeInputs: longRangeCounts[v].reduce(0, +))
            },
            fallbacks: fallbacks, parameters: parameters,
            edgeDigest: String(edges.digest, radix: 16), undersizedLocalPools: undersizedLocalPools)
    }

    /// The summary as JSON with sorted keys (stable bytes for the same network).
    public func summaryJSON() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try e.encode(summary)
    }
}

/// Draws the synapses onto one unit (design note §2 sampling): each neuron draws its K presynaptic
/// populations from its row (local populations, or long-range: a source unit ∝ P_vu, then an E
/// neuron of that unit uniformly, i.e. its E populations ∝ size), then a neuron uniformly within;
/// no self-connections, no repeats.
struct Sampler: Sendable {
    let seed: UInt64
    let templates: [ColumnTemplate]
    let counts: [[Int]]
    let first: [[Int]]
    let degrees: [[Int]]
    let tracts: [[Double]]?
    let delays: [[Int]]?
    let groupOfDelay: [Int: UInt8]
    let sources: SourceGroups

    static let drawSalt: UInt32 = 0x5457_0001
    static let weightSalt: UInt32 = 0x5457_0002

    /// Writes unit `v`'s Σ_p N_{v,p}·K_{v,p} synapses at `sink`; returns its long-range inputs per
    /// source tract group.
    func sample(unit v: Int, into sink: EdgeSink) -> [Int] {
        let t = templates[v], gv = sources.groupOf[v]
        var longRange = [Int](repeating: 0, count: sources.count)
        var at = 0
        // Cumulative P_{g(v)}· over source groups with tracts to v's group.
        var sourceCum: [Double] = [], sourceGroup: [Int] = []
        if let P = tracts {
            var c = 0.0
            for g in 0..<sources.count where P[gv][g] > 0 { c += P[gv][g]; sourceCum.append(c); sourceGroup.append(g) }
        }
        var seen = DistinctSet()
        for q in 0..<t.count where degrees[v][q] > 0 {
            let k = degrees[v][q]
            var categoryCum: [Double] = [], categoryPop: [Int] = []   // -1: long-range
            var c = 0.0
            for r in 0..<t.count where t.local[q][r] > 0 { c += t.local[q][r]; categoryCum.append(c); categoryPop.append(r) }
            if !sourceCum.isEmpty && t.longRange[q] > 0 { c += t.longRange[q]; categoryCum.append(c); categoryPop.append(-1) }
            let categoryTotal = c
            for i in 0..<counts[v][q] {
                let post = first[v][q] + i
                var rng = RandomSequence(seed: seed, stream: .connectivity, item: UInt32(post), salt: Self.drawSalt)
                var weights = RandomSequence(seed: seed, stream: .connectivity, item: UInt32(post), salt: Self.weightSalt)
                seen.reset()
                var drawn = 0
                while drawn < k {
                    let x = rng.unit() * categoryTotal
                    var cat = 0
                    while cat < categoryCum.count - 1 && categoryCum[cat] <= x { cat += 1 }
                    let pre: Int, group: UInt8, source: Int   // source: tract group of a long-range draw, else -1
                    if categoryPop[cat] >= 0 {
                        let r = categoryPop[cat]
                        pre = first[v][r] + rng.below(counts[v][r])
                        group = t.excitatory[r] ? 0 : 1
                        source = -1
                    } else {
                        let y = rng.unit() * sourceCum[sourceCum.count - 1]
                        var lo = 0, hi = sourceCum.count - 1
                        while lo < hi { let mid = (lo + hi) / 2; if sourceCum[mid] <= y { lo = mid + 1 } else { hi = mid } }
                        let g = sourceGroup[lo]
                        let (u, rank) = sources.unit(ofExcitatory: rng.below(sources.excitatory[g]), in: g)
                        var e = rank, chosen = -1
                        let tu = templates[u]
                        for s in 0..<tu.count where tu.excitatory[s] {
                            if e < counts[u][s] { chosen = first[u][s] + e; break }
                            e -= counts[u][s]
                        }
                        pre = chosen
                        group = groupOfDelay[delays![gv][g]]!
                        source = g
                    }
                    if pre == post || !seen.insert(pre) { continue }
                    sink.pre[at] = UInt32(pre)
                    sink.post[at] = UInt32(post)
                    sink.weight[at] = UInt16(truncatingIfNeeded: weights.next32())
                    sink.group[at] = group
                    if source >= 0 { longRange[source] += 1 }
                    drawn += 1; at += 1
                }
            }
        }
        return longRange
    }
}

/// The units of each tract group and their excitatory neurons, to draw a long-range source
/// neuron uniformly among a group's E neurons.
struct SourceGroups: Sendable {
    let groupOf: [Int]
    let count: Int
    /// E neurons per group.
    let excitatory: [Int]
    /// Per group, its units in unit order and the running total of their E neurons (exclusive).
    let members: [[Int]]
    let before: [[Int]]

    init(groupOf: [Int], count: Int, excitatory unitExcitatory: [Int]) {
        self.groupOf = groupOf; self.count = count
        var members = [[Int]](repeating: [], count: count), before = members
        var totals = [Int](repeating: 0, count: count)
        for (u, g) in groupOf.enumerated() {
            members[g].append(u); before[g].append(totals[g]); totals[g] += unitExcitatory[u]
        }
        self.members = members; self.before = before; excitatory = totals
    }

    /// The unit holding the `e`-th E neuron of group `g`, and that neuron's rank within the unit.
    func unit(ofExcitatory e: Int, in g: Int) -> (unit: Int, rank: Int) {
        let b = before[g]
        var lo = 0, hi = b.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if b[mid] <= e { lo = mid } else { hi = mid - 1 } }
        return (members[g][lo], e - b[lo])
    }
}

/// Where a sampling task writes its synapses (disjoint slices of the edge arrays).
struct EdgeSink: @unchecked Sendable {
    var pre: UnsafeMutablePointer<UInt32>
    var post: UnsafeMutablePointer<UInt32>
    var weight: UnsafeMutablePointer<UInt16>
    var group: UnsafeMutablePointer<UInt8>

    init(pre: UnsafeMutablePointer<UInt32>?, post: UnsafeMutablePointer<UInt32>?, weight: UnsafeMutablePointer<UInt16>?,
         group: UnsafeMutablePointer<UInt8>?) {
        // Empty arrays may have no storage; a zero-synapse network never writes through these.
        self.pre = pre ?? UnsafeMutablePointer(bitPattern: 0x10)!
        self.post = post ?? UnsafeMutablePointer(bitPattern: 0x10)!
        self.weight = weight ?? UnsafeMutablePointer(bitPattern: 0x10)!
        self.group = group ?? UnsafeMutablePointer(bitPattern: 0x10)!
    }

    func advanced(by k: Int) -> EdgeSink {
        EdgeSink(pre: pre + k, post: post + k, weight: weight + k, group: group + k)
    }
}
