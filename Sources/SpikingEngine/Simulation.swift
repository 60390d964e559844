// Running a network: state allocation and initial values, and the window loop (deliver the last
// window's spikes, update the next `minDelay` steps, exchange, tell the observers).
import Dispatch

/// Thread time a simulation has spent in each phase of its windows, summed over its partitions
/// (seconds): where a run's time goes, without a profiler.
public struct PhaseTimes: Sendable, Codable, Equatable {
    /// Walking the last window's spikes through the synapse rows: sorting the events into chunk
    /// bins, or adding them straight to their targets when the gating variables fit in cache.
    public var delivery: Double
    /// Adding binned events to each chunk's gating variables just before the chunk is updated.
    public var applying: Double
    /// The neuron update: background noise and Poisson drive, conductances, membrane, threshold.
    public var update: Double

    public init(delivery: Double, applying: Double, update: Double) {
        self.delivery = delivery; self.applying = applying; self.update = update
    }

    /// The time between two readings of a simulation's phase times.
    public static func - (later: PhaseTimes, earlier: PhaseTimes) -> PhaseTimes {
        PhaseTimes(delivery: later.delivery - earlier.delivery, applying: later.applying - earlier.applying,
                   update: later.update - earlier.update)
    }
}

/// A running network: the neuron state, spike buffers and observers of one run over a shared,
/// immutable ``Network``. Many simulations may run one network (ensemble members, study arms);
/// each owns only its state. Not thread-safe itself: one caller drives it; it uses threads inside.
public final class Simulation: @unchecked Sendable {
    public let network: Network
    /// Seed of the dynamics: initial potentials, background noise, Poisson drive, Gamma factors.
    public let seed: UInt64
    /// Ensemble member or study arm: members with one seed draw independent noise.
    public let member: UInt32
    /// How synaptic events are delivered (see ``SpikeDelivery``).
    public let delivery: SpikeDelivery
    /// Told about every window after its spikes are exchanged, in this order.
    public private(set) var observers: [any SimulationObserver]
    /// Steps simulated so far.
    public private(set) var step = 0
    /// Spikes per population so far.
    public private(set) var spikeTotals: [Int]
    /// The populations as this simulation runs them: the network's, with any parameters changed
    /// by ``setParameters(of:model:background:external:)``.
    public private(set) var populations: [Population]
    /// Synapses delivered so far (spikes × their out-degree; external Poisson inputs excluded).
    public var synapticEvents: Int { total(.events) }

    /// Thread time spent so far in each phase of the windows, summed over partitions.
    public var phaseTimes: PhaseTimes {
        PhaseTimes(delivery: Double(total(.delivery)) / 1e9, applying: Double(total(.applying)) / 1e9,
                   update: Double(total(.update)) / 1e9)
    }

    private func total(_ tally: Tally) -> Int {
        (0..<network.partitions.count).reduce(0) { $0 + tallies[$1 * 8 + tally.rawValue] }
    }

    let exchange: SpikeExchange
    let state: StatePointers
    /// Per population, its constants and their lane broadcasts (kept in step by `setParameters`).
    let constants: UnsafeMutablePointer<NeuronConstants>
    let lanes: UnsafeMutablePointer<LaneConstants>
    /// Per partition, the external current of each step of a window.
    let externalScratch: UnsafeMutablePointer<Float>
    /// Per partition (a cache line apart), the tile whose background normals are drawn this window.
    let drawnTiles: UnsafeMutablePointer<Int>
    /// Per partition, the population slices in it.
    let segments: [[Segment]]
    let window: Int
    /// Two sets of per-partition spike buffers: one being filled, one being delivered.
    let buffers: [[SpikeBuffer]]
    /// Spikes of the last window, still to be delivered, and that window's first step and length.
    var pending: [SpikeBuffer] = []
    /// Which set of `buffers` the next window fills: always the one not pending. (Choosing by the
    /// step's window parity aliased the two after a run of a partial window.)
    var fillSet = 0
    var pendingStart = 0
    var pendingLength = 0
    let counts: UnsafeMutablePointer<Int32>
    /// Per partition, random-number scratch for one tile and window.
    let noise: UnsafeMutablePointer<Lanes>
    let dirty: UnsafeMutablePointer<Bool>
    /// Per partition, one cache line apart: what it has counted (``Tally``).
    let tallies: UnsafeMutablePointer<Int>
    /// A partition's counters: synapses delivered, then nanoseconds per phase (``PhaseTimes``).
    enum Tally: Int { case events, delivery, applying, update }
    let compiledGroups: UnsafeMutableBufferPointer<CompiledGroup>
    /// Per partition, the pending window's events sorted by target chunk.
    let bins: [EventBins]
    /// Per partition, the synaptic events waiting to arrive after the next window.
    let queues: [ArrivalQueues]
    /// The delivered windows whose synapses may still be in flight (for snapshots).
    var history = EmissionHistory()
    /// The Philox key of this simulation's random numbers (seed and member).
    let key: UInt64
    /// Spikes per step and population of the last window, summed over partitions (step-major).
    let windowCounts: UnsafeMutablePointer<Int32>

    /// A slice of one population inside one partition.
    struct Segment {
        var population: Int
        var blocks: Range<Int>
        var lastMask: SIMDMask<LaneInts>
    }

    /// - Parameters:
    ///   - seed: keys the dynamics; nil: the network's seed (so a lone simulation of a network is
    ///     keyed as the network's wiring was).
    ///   - member: the ensemble member or study arm; member 0 draws exactly what a lone simulation
    ///     with `seed` draws, other members draw independent streams.
    ///   - observers: told about every window (recording, BOLD, rates); none costs nothing.
    ///   - delivery: how synaptic events reach their targets; the choice changes speed, never results.
    public init(network: Network, seed: UInt64? = nil, member: UInt32 = 0, observers: [any SimulationObserver] = [],
                exchange: SpikeExchange = InProcessExchange(), delivery: SpikeDelivery = .automatic) {
        self.network = network
        self.seed = seed ?? network.seed
        self.member = member
        key = Self.key(seed: self.seed, member: member)
        self.delivery = delivery
        self.observers = observers
        self.exchange = exchange
        window = network.minDelay
        let n = network.paddedCount, stride = network.channelStride
        let slots = window
        func zeros<T: Numeric>(_ count: Int, _: T.Type) -> UnsafeMutablePointer<T> {
            let p = allocateLarge(T.self, count: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        // Whole-network arrays, but only this process's neurons are ever touched (``initialise()``,
        // the update and delivery write only local partitions), so only their pages become resident.
        state = StatePointers(v: allocateZeroed(Float.self, count: n), j: allocateZeroed(Float.self, count: n * stride),
                              background: allocateZeroed(Float.self, count: n), external: allocateZeroed(Float.self, count: n),
                              arrivals: allocateZeroed(Float.self, count: slots * n * stride),
                              arrivalSlots: slots, slotSize: n * stride)
        populations = network.populations
        let prepared = network.populations.map { NeuronConstants($0, dt: network.dt) }
        constants = .allocate(capacity: max(1, prepared.count))
        constants.initialize(from: prepared, count: prepared.count)
        lanes = .allocate(capacity: max(1, prepared.count))
        lanes.initialize(from: prepared.map(LaneConstants.init), count: prepared.count)
        externalScratch = zeros(network.partitions.count * window, Float.self)
        drawnTiles = zeros(network.partitions.count * 8, Int.self)
        segments = network.partitions.map { part in
            network.layout.enumerated().compactMap { p, l -> Segment? in
                let lo = max(part.blocks.lowerBound, l.firstBlock), hi = min(part.blocks.upperBound, l.endBlock)
                guard lo < hi else { return nil }
                let valid = hi == l.endBlock ? l.first + l.size - (hi - 1) * 8 : 8
                let mask = LaneInts(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(valid)
                return Segment(population: p, blocks: lo..<hi, lastMask: mask)
            }
        }
        bins = network.partitions.map { EventBins(blocks: $0.blocks, channelStride: stride) }
        queues = network.partitions.map { _ in ArrivalQueues(maxDelay: network.maxDelay) }
        buffers = (0..<2).map { _ in network.partitions.map { _ in SpikeBuffer() } }
        counts = zeros(network.partitions.count * network.populations.count * window, Int32.self)
        dirty = UnsafeMutablePointer<Bool>.allocate(capacity: network.partitions.count * slots)
        dirty.initialize(repeating: false, count: network.partitions.count * slots)
        let noisePerPartition = window * WindowUpdate.noisePerStep
        noise = .allocate(capacity: network.partitions.count * noisePerPartition)
        noise.initialize(repeating: Lanes(), count: network.partitions.count * noisePerPartition)
        tallies = zeros(network.partitions.count * 8, Int.self)
        compiledGroups = .allocate(capacity: max(1, network.compiledGroups.count))
        _ = compiledGroups.initialize(from: network.compiledGroups)
        spikeTotals = Array(repeating: 0, count: network.populations.count)
        windowCounts = zeros(window * network.populations.count, Int32.self)
        initialise()
    }

    deinit {
        let n = network.paddedCount, floats = n * network.channelStride
        for (p, count) in [(state.v, n), (state.j, floats), (state.background, n), (state.external, n),
                           (state.arrivals, state.arrivalSlots * floats)] { deallocateZeroed(p, count: count) }
        deallocateLarge(counts)
        deallocateLarge(tallies)
        deallocateLarge(windowCounts)
        noise.deallocate(); dirty.deallocate(); compiledGroups.deallocate()
        deallocateLarge(externalScratch); deallocateLarge(drawnTiles)
        constants.deinitialize(count: network.populations.count); constants.deallocate()
        lanes.deinitialize(count: network.populations.count); lanes.deallocate()
    }

    /// Member 0 is keyed by the seed itself; member k by the seed plus k Weyl increments, a
    /// distinct Philox key for every member.
    static func key(seed: UInt64, member: UInt32) -> UInt64 {
        seed &+ UInt64(member) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Adds an observer; it sees the windows from the next one on.
    public func add(_ observer: any SimulationObserver) { observers.append(observer) }

    /// Bytes this simulation holds of its own (neuron state, arrival slots, counters, random-number
    /// scratch, spike buffers, event bins and the spikes in flight): what a second simulation of a
    /// network costs.
    public var stateBytes: Int {
        let n = network.paddedCount, stride = network.channelStride, partitions = network.partitions.count
        let floats = n * (3 + stride * (1 + state.arrivalSlots))
        let scratch = partitions * (window * WindowUpdate.noisePerStep * MemoryLayout<Lanes>.stride + state.arrivalSlots + 8 * 8)
        let counters = (partitions + 1) * network.populations.count * window * 4
        return floats * 4 + scratch + counters + buffers.joined().reduce(0) { $0 + $1.bytes }
            + bins.reduce(0) { $0 + $1.bytes } + queues.reduce(0) { $0 + $1.bytes } + history.bytes
    }

    /// Initial potentials, stationary OU currents and per-neuron external currents of this
    /// process's neurons, each from its own random stream keyed by the neuron (so a neuron starts
    /// the same whichever process holds it; the others' stay zero and are never touched).
    private func initialise() {
        let seed = key
        for (p, population) in network.populations.enumerated() {
            for i in localNeurons(of: p) {
                var rng = RandomSequence(seed: seed, stream: .initialPotential, item: UInt32(i))
                if let range = population.initialPotential {
                    state.v[i] = Float(range.lowerBound + (range.upperBound - range.lowerBound) * rng.unit())
                } else {
                    state.v[i] = Float(population.model.leakReversal)
                }
                if let ou = population.background {
                    var r = RandomSequence(seed: seed, stream: .backgroundInitial, item: UInt32(i))
                    state.background[i] = Float(ou.mean + ou.sigma * r.normal())
                }
            }
            if case .gamma(let mean, let shape) = population.external { drawGammaFactors(p, mean: mean, shape: shape) }
        }
    }

    /// Sets the counters a snapshot carries (the step clock, spike totals, synaptic events).
    func restoreCounters(step: Int, spikeTotals: [Int], events: Int) {
        self.step = step
        self.spikeTotals = spikeTotals
        for tally in 0..<network.partitions.count { tallies[tally * 8 + Tally.events.rawValue] = 0 }
        tallies[Tally.events.rawValue] = events
    }

    /// Biological time simulated so far (ms).
    public var time: Double { Double(step) * network.dt }

    /// Advances by `duration` ms (rounded to whole steps).
    public func run(duration: Double) {
        run(steps: Int((duration / network.dt).rounded()))
    }

    /// Advances by `steps` steps, in windows of at most `minDelay` steps.
    public func run(steps: Int) {
        var done = 0
        while done < steps {
            let length = min(window, steps - done)
            advance(length)
            done += length
        }
    }

    /// One window: each partition delivers the previous window's spikes to its neurons, then
    /// updates them; then spikes are exchanged and recorded.
    private func advance(_ length: Int) {
        let fill = buffers[fillSet]
        fillSet ^= 1
        if !pending.isEmpty { history.append(start: pendingStart, length: pendingLength, pending) }
        let work: @Sendable (Int) -> Void = { [self] p in
            let start = DispatchTime.now().uptimeNanoseconds
            deliverPending(to: p, upcomingLength: length)
            let delivered = DispatchTime.now().uptimeNanoseconds
            let applying = update(partition: p, length: length, spikes: fill[p])
            let tally = tallies + p * 8
            tally[Tally.delivery.rawValue] += Int(delivered - start)
            tally[Tally.applying.rawValue] += applying
            tally[Tally.update.rawValue] += Int(DispatchTime.now().uptimeNanoseconds - delivered) - applying
        }
        let local = network.localPartitions
        if local.count == 1 {
            work(local.lowerBound)
        } else {
            DispatchQueue.concurrentPerform(iterations: local.count) { work(local.lowerBound + $0) }
        }
        pending = exchange.exchange(local: fill)
        if local.count < network.partitions.count { countRemoteSpikes(length) }
        pendingStart = step
        pendingLength = length
        record(length)
        step += length
        history.forget(before: step, maxDelay: network.maxDelay)
    }

    /// The spike counts of the partitions other processes updated, per population and step, from
    /// their exchanged spikes (this process's own were counted as they fired).
    private func countRemoteSpikes(_ length: Int) {
        let pops = network.populations.count
        for q in 0..<network.partitions.count where !network.localPartitions.contains(q) {
            let counts = self.counts + q * pops * window
            counts.update(repeating: 0, count: pops * window)
            for spike in pending[q].spikes {
                counts[network.population(internal: Int(spike.neuron)) * window + Int(spike.step)] += 1
            }
        }
    }

    /// Delivery: what arrives in the next window (`upcomingLength` steps) into partition `p`'s
    /// gating variables and arrival slots, the rest of the last window's spikes into its queues.
    /// Arriving events are only sorted by target chunk here when binning pays; `update` adds each
    /// chunk's just before updating it (falling back to direct delivery when the window cannot be binned).
    private func deliverPending(to p: Int, upcomingLength: Int) {
        bins[p].active = false
        let delivery = WindowDelivery(
            state: state, table: network.partitions[p].synapses, groups: UnsafeBufferPointer(compiledGroups),
            queues: queues[p], emittedStart: pendingStart, emittedLength: pendingLength,
            upcomingLength: upcomingLength, dirty: dirty + p * state.arrivalSlots)
        // Binning pays only when the partition's gating variables do not stay in cache.
        let gatingBytes = network.partitions[p].blocks.count * 8 * network.channelStride * MemoryLayout<Float>.stride
        let wantsBins = self.delivery == .binned || (self.delivery == .automatic && gatingBytes > EventBins.minimumGatingBytes)
        if delivery.canBin && wantsBins { delivery.bin(pending, into: bins[p]) } else { delivery.deliverArriving(pending) }
        tallies[p * 8 + Tally.events.rawValue] += delivery.schedule(pending)
    }

    /// Update: partition `p`'s neurons for `length` steps from `step`, population by population.
    /// Returns the nanoseconds spent applying binned events.
    private func update(partition p: Int, length: Int, spikes: SpikeBuffer) -> Int {
        let pops = network.populations.count
        spikes.removeAll()
        let counts = self.counts + p * pops * window
        counts.update(repeating: 0, count: pops * window)
        let dirty = self.dirty + p * state.arrivalSlots
        let slots = (0..<length).map { s -> UnsafeMutableRawPointer? in
            let slot = (step + s) % state.arrivalSlots
            guard dirty[slot] else { return nil }
            dirty[slot] = false
            return UnsafeMutableRawPointer(state.arrivals + slot * state.slotSize)
        }
        var applying = 0
        slots.withUnsafeBufferPointer { slots in
            drawnTiles[p * 8] = -1
            let update = WindowUpdate(state: state, philox: Philox4x32(seed: key), start: step,
                                      length: length, arrivalSlots: slots, spikes: spikes,
                                      noise: noise + p * window * WindowUpdate.noisePerStep,
                                      external: externalScratch + p * window, drawnBackgroundTile: drawnTiles + p * 8)
            // Chunk by chunk: add the chunk's binned events, then update the population slices in it.
            let bins = self.bins[p]
            let blocks = network.partitions[p].blocks
            let full = SIMDMask<LaneInts>(repeating: true)
            let segs = segments[p]
            var si = 0
            for k in 0..<bins.chunks {
                let lo = max(blocks.lowerBound, (bins.firstChunk + k) * EventBins.chunkBlocks)
                let hi = min(blocks.upperBound, (bins.firstChunk + k + 1) * EventBins.chunkBlocks)
                if bins.active {
                    let start = DispatchTime.now().uptimeNanoseconds
                    bins.apply(chunk: k, j: state.j, jCount: state.slotSize)
                    applying += Int(DispatchTime.now().uptimeNanoseconds - start)
                }
                while si < segs.count && segs[si].blocks.upperBound <= lo { si += 1 }
                var sj = si
                while sj < segs.count && segs[sj].blocks.lowerBound < hi {
                    let segment = segs[sj]
                    let a = max(lo, segment.blocks.lowerBound), b = min(hi, segment.blocks.upperBound)
                    sj += 1
                    guard a < b else { continue }
                    let mask = b == segment.blocks.upperBound ? segment.lastMask : full
                    if network.channelStride == 2 {
                        update.update(TwoChannels.self, constants + segment.population, lanes + segment.population,
                                      blocks: a..<b, lastMask: mask, counts: counts + segment.population * window)
                    } else {
                        update.update(FourChannels.self, constants + segment.population, lanes + segment.population,
                                      blocks: a..<b, lastMask: mask, counts: counts + segment.population * window)
                    }
                }
            }
        }
        return applying
    }

    /// Sums the window's counts over partitions into `windowCounts`, adds them to the totals and
    /// tells the observers.
    private func record(_ length: Int) {
        let pops = network.populations.count
        let partitions = network.partitions.count
        for s in 0..<length {
            for p in 0..<pops {
                var c: Int32 = 0
                for q in 0..<partitions { c += counts[(q * pops + p) * window + s] }
                windowCounts[s * pops + p] = c
                spikeTotals[p] += Int(c)
            }
        }
        guard !observers.isEmpty else { return }
        let record = SimulationWindow(network: network, firstStep: step, length: length,
                                      counts: UnsafeBufferPointer(start: windowCounts, count: length * pops),
                                      spikes: pending)
        for observer in observers { observer.simulation(self, didAdvance: record) }
    }

    /// Mean firing rate of each population so far (Hz).
    public var rates: [Double] {
        zip(spikeTotals, network.populations).map { time > 0 ? Double($0) / Double($1.size) / (time / 1000) : 0 }
    }

    /// Changes a population's parameters between windows without rebuilding anything (the
    /// hyperparameters of an assimilation, a drug's conductance change): the model (same channel
    /// set), the OU background (`.some(nil)` turns it off) or the external current. A new Gamma
    /// mean rescales each neuron's own factor γ_j, which is derived again from its stream, never
    /// redrawn. Callers validate values first; a different channel set is a programming error.
    public func setParameters(of population: PopulationID, model: NeuronModel? = nil,
                              background: OrnsteinUhlenbeck?? = nil, external: ExternalCurrent? = nil) {
        var p = populations[population.index]
        if let model {
            precondition(model.channels == p.model.channels, "the channel set is fixed")
            p.model = model
        }
        if let background { p.background = background }
        if let external {
            p.external = external
            if case .gamma(let mean, let shape) = external { drawGammaFactors(population.index, mean: mean, shape: shape) }
        }
        use(p, for: population.index)
    }

    /// Runs population `index` with `p` from the next window: its constants and lane broadcasts.
    func use(_ p: Population, for index: Int) {
        populations[index] = p
        constants[index] = NeuronConstants(p, dt: network.dt)
        lanes[index] = LaneConstants(constants[index])
    }

    /// The receptor conductances g_u of a population, keeping the rest of its model.
    public func setConductances(_ g: [Double], of population: PopulationID) {
        setParameters(of: population, model: populations[population.index].model.with(conductances: g))
    }

    /// Per-neuron external currents mean·γ_j/shape of a Gamma population (γ_j from its own stream).
    private func drawGammaFactors(_ p: Int, mean: Double, shape: Double) {
        for i in localNeurons(of: p) {
            var r = RandomSequence(seed: key, stream: .externalGamma, item: UInt32(i))
            state.external[i] = Float(mean * r.gamma(shape: shape) / shape)
        }
    }

    /// The internal indices (padding included) of population `p` in this process's partitions.
    private func localNeurons(of p: Int) -> Range<Int> {
        let l = network.layout[p], local = network.localPartitions
        guard let first = local.first, let last = local.last else { return 0..<0 }
        let lo = max(l.first, network.partitions[first].blocks.lowerBound * 8)
        let hi = min(l.endBlock * 8, network.partitions[last].blocks.upperBound * 8)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// The membrane potential of a neuron (global index) now.
    public func potential(of neuron: Int) -> Double {
        let stored = state.v[network.internal(global: neuron)]
        return Double(Refractory.potential(stored, reset: constants[network.population(global: neuron)].vReset))
    }

    /// A neuron's gating variable on `channel` now (after this step's decay).
    public func gating(of neuron: Int, channel: Int) -> Double {
        let i = network.internal(global: neuron)
        return Double(state.j[(i >> 3) * 8 * network.channelStride + channel * 8 + (i & 7)])
    }

    /// A neuron's OU background current now.
    public func backgroundCurrent(of neuron: Int) -> Double { Double(state.background[network.internal(global: neuron)]) }
}
