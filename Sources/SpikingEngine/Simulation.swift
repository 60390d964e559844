// Running a network: state allocation and initial values, the window loop (deliver the last
// window's spikes, update the next `minDelay` steps, exchange), and recording.
import Dispatch
import Hemodynamics

/// What a simulation records besides per-population spike totals (which are always kept).
public struct Recording: Sendable {
    /// Spike count of every population at every step.
    public var populationCounts: Bool
    /// Global indices of neurons whose spike times are kept.
    public var raster: [Int]
    /// Per unit and step, the fraction of the unit's neurons that spiked.
    public var unitActivity: Bool
    /// BOLD from each unit's activity.
    public var bold: BOLDRecording?

    public init(populationCounts: Bool = false, raster: [Int] = [], unitActivity: Bool = false,
                bold: BOLDRecording? = nil) {
        self.populationCounts = populationCounts; self.raster = raster
        self.unitActivity = unitActivity; self.bold = bold
    }
}

/// BOLD settings: the Balloon–Windkessel preset, how it is integrated and the scan's TR.
///
/// The drive of a unit at each engine step is the fraction of its neurons that spiked, per ms
/// (count / size / dt[ms], so that at dt = 1 ms it is DTB's fraction per ms), floored at 1e-5.
public struct BOLDRecording: Sendable {
    public var parameters: BalloonWindkesselParameters
    public var integrator: BalloonIntegrator
    public var initialState: BalloonInitialState
    /// Seconds between samples.
    public var repetitionTime: Double
    /// Engine steps averaged into one integration step of the hemodynamics.
    public var stepsPerIntegration: Int

    public init(parameters: BalloonWindkesselParameters = .dtb, integrator: BalloonIntegrator = .rk4,
                initialState: BalloonInitialState = .rest, repetitionTime: Double, stepsPerIntegration: Int = 1) {
        self.parameters = parameters; self.integrator = integrator; self.initialState = initialState
        self.repetitionTime = repetitionTime; self.stepsPerIntegration = stepsPerIntegration
    }
}

/// A spike of a raster: global neuron index and time (ms).
public struct RasterSpike: Sendable, Codable, Equatable {
    public var neuron: Int
    public var time: Double
}

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

/// A running network. Not thread-safe itself: one caller drives it; it uses threads inside.
public final class Simulation: @unchecked Sendable {
    public let network: Network
    /// How synaptic events are delivered (see ``SpikeDelivery``).
    public let delivery: SpikeDelivery
    public let recording: Recording
    /// Steps simulated so far.
    public private(set) var step = 0
    /// Spikes per population so far.
    public private(set) var spikeTotals: [Int]
    /// Per step, spikes per population (when recorded).
    public private(set) var populationCounts: [[Int32]] = []
    /// Per step, spike fraction per unit (when recorded).
    public private(set) var unitActivity: [[Double]] = []
    public private(set) var raster: [RasterSpike] = []
    /// BOLD samples, one per TR, each with one value per unit.
    public private(set) var bold: [[Double]] = []
    public private(set) var boldSampler: BOLDSampler?
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
    var constants: [NeuronConstants]
    /// Per partition, the population slices in it.
    let segments: [[Segment]]
    let window: Int
    /// Two sets of per-partition spike buffers: one being filled, one being delivered.
    let buffers: [[SpikeBuffer]]
    /// Spikes of the last window, still to be delivered, and that window's first step and length.
    var pending: [SpikeBuffer] = []
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
    let rasterSet: Set<UInt32>
    /// Per partition, the pending window's events sorted by target chunk.
    let bins: [EventBins]
    let unitOfPopulation: [Int]
    let unitSizes: [Int]

    /// A slice of one population inside one partition.
    struct Segment {
        var population: Int
        var blocks: Range<Int>
        var lastMask: SIMDMask<LaneInts>
    }

    /// - Parameter delivery: how synaptic events reach their targets; the choice changes speed,
    ///   never results.
    public init(network: Network, recording: Recording = Recording(),
                exchange: SpikeExchange = InProcessExchange(), delivery: SpikeDelivery = .automatic) {
        self.network = network
        self.delivery = delivery
        self.recording = recording
        self.exchange = exchange
        window = network.minDelay
        let n = network.paddedCount, stride = network.channelStride
        let slots = network.maxDelay
        func zeros<T: Numeric>(_ count: Int, _: T.Type) -> UnsafeMutablePointer<T> {
            let p = allocateLarge(T.self, count: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        state = StatePointers(v: zeros(n, Float.self), j: zeros(n * stride, Float.self),
                              background: zeros(n, Float.self),
                              external: zeros(n, Float.self), ring: zeros(slots * n * stride, Float.self),
                              ringSlots: slots, slotSize: n * stride)
        constants = network.populations.map { NeuronConstants($0, dt: network.dt) }
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
        rasterSet = Set(recording.raster.map { UInt32(network.internal(global: $0)) })
        let unitOf = network.populations.map { $0.unit ?? -1 }
        let units = (unitOf.max() ?? -1) + 1
        unitOfPopulation = unitOf
        unitSizes = (0..<units).map { u in
            zip(network.populations, unitOf).reduce(0) { $0 + ($1.1 == u ? $1.0.size : 0) }
        }
        if let b = recording.bold {
            let model = BalloonWindkessel(units: units, parameters: b.parameters, integrator: b.integrator,
                                          initialState: b.initialState)
            do {
                boldSampler = try BOLDSampler(model: model, inputStep: network.dt / 1000,
                                              repetitionTime: b.repetitionTime, inputsPerStep: b.stepsPerIntegration)
            } catch {
                preconditionFailure("BOLD timing: \(error)")
            }
        }
        initialise()
    }

    deinit {
        for p in [state.v, state.j, state.background, state.external, state.ring] { deallocateLarge(p) }
        deallocateLarge(counts)
        deallocateLarge(tallies)
        noise.deallocate(); dirty.deallocate(); compiledGroups.deallocate()
    }

    /// Initial potentials, stationary OU currents and per-neuron external currents, each from its
    /// own random stream keyed by the neuron.
    private func initialise() {
        let seed = network.seed
        for (p, population) in network.populations.enumerated() {
            let l = network.layout[p]
            for k in 0..<((population.size + 7) / 8 * 8) {
                let i = l.first + k
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
                if case .gamma(let mean, let shape) = population.external {
                    var r = RandomSequence(seed: seed, stream: .externalGamma, item: UInt32(i))
                    state.external[i] = Float(mean * r.gamma(shape: shape) / shape)
                }
            }
        }
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
        let fill = buffers[(step / window) & 1]
        let partitions = network.partitions.count
        let work: @Sendable (Int) -> Void = { [self] p in
            let start = DispatchTime.now().uptimeNanoseconds
            deliverPending(to: p)
            let delivered = DispatchTime.now().uptimeNanoseconds
            let applying = update(partition: p, length: length, spikes: fill[p])
            let tally = tallies + p * 8
            tally[Tally.delivery.rawValue] += Int(delivered - start)
            tally[Tally.applying.rawValue] += applying
            tally[Tally.update.rawValue] += Int(DispatchTime.now().uptimeNanoseconds - delivered) - applying
        }
        if partitions == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: partitions, execute: work) }
        pending = exchange.exchange(local: fill)
        pendingStart = step
        pendingLength = length
        record(length)
        step += length
    }

    /// Delivery: the last window's spikes into partition `p`'s gating variables and ring.
    /// The events are only sorted by target chunk here; `update` adds each chunk's just before
    /// updating it (falling back to direct delivery when the window cannot be binned).
    private func deliverPending(to p: Int) {
        bins[p].active = false
        guard !pending.isEmpty else { return }
        let delivery = WindowDelivery(
            state: state, table: network.partitions[p].synapses, groups: UnsafeBufferPointer(compiledGroups),
            emittedStart: pendingStart, emittedLength: pendingLength, dirty: dirty + p * state.ringSlots)
        // Binning pays only when the partition's gating variables do not stay in cache.
        let gatingBytes = network.partitions[p].blocks.count * 8 * network.channelStride * MemoryLayout<Float>.stride
        let wantsBins = self.delivery == .binned || (self.delivery == .automatic && gatingBytes > EventBins.minimumGatingBytes)
        let binned = delivery.canBin && wantsBins
        tallies[p * 8 + Tally.events.rawValue] += binned ? delivery.bin(pending, into: bins[p]) : delivery.deliver(pending)
    }

    /// Update: partition `p`'s neurons for `length` steps from `step`, population by population.
    /// Returns the nanoseconds spent applying binned events.
    private func update(partition p: Int, length: Int, spikes: SpikeBuffer) -> Int {
        let pops = network.populations.count
        spikes.removeAll()
        let counts = self.counts + p * pops * window
        counts.update(repeating: 0, count: pops * window)
        let dirty = self.dirty + p * state.ringSlots
        let readSlot = (0..<length).map { dirty[(step + $0) % state.ringSlots] }
        for s in 0..<length { dirty[(step + s) % state.ringSlots] = false }
        var applying = 0
        readSlot.withUnsafeBufferPointer { readSlot in
            var update = WindowUpdate(state: state, philox: Philox4x32(seed: network.seed), start: step,
                                      length: length, readSlot: readSlot, spikes: spikes, counts: counts,
                                      noise: noise + p * window * WindowUpdate.noisePerStep)
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
                    update.counts = counts + segment.population * window
                    let mask = b == segment.blocks.upperBound ? segment.lastMask : full
                    if network.channelStride == 2 {
                        update.update(TwoChannels.self, constants[segment.population], blocks: a..<b, lastMask: mask)
                    } else {
                        update.update(FourChannels.self, constants[segment.population], blocks: a..<b, lastMask: mask)
                    }
                }
            }
        }
        return applying
    }

    private func record(_ length: Int) {
        let pops = network.populations.count
        let partitions = network.partitions.count
        var stepCounts = [Int32](repeating: 0, count: pops)
        for s in 0..<length {
            for p in 0..<pops {
                var c: Int32 = 0
                for q in 0..<partitions { c += counts[(q * pops + p) * window + s] }
                stepCounts[p] = c
                spikeTotals[p] += Int(c)
            }
            if recording.populationCounts { populationCounts.append(stepCounts) }
            if recording.unitActivity || boldSampler != nil { recordUnits(stepCounts) }
        }
        if !rasterSet.isEmpty {
            for buffer in pending {
                for spike in buffer.spikes where rasterSet.contains(spike.neuron) {
                    raster.append(RasterSpike(neuron: network.global(internal: Int(spike.neuron))!,
                                              time: Double(step + Int(spike.step)) * network.dt))
                }
            }
        }
    }

    private func recordUnits(_ stepCounts: [Int32]) {
        var spikes = [Int](repeating: 0, count: unitSizes.count)
        for (p, u) in unitOfPopulation.enumerated() where u >= 0 { spikes[u] += Int(stepCounts[p]) }
        let fraction = zip(spikes, unitSizes).map { Double($0) / Double($1) }
        if recording.unitActivity { unitActivity.append(fraction) }
        if boldSampler != nil {
            let drive = fraction.map { max($0 / network.dt, 1e-5) }
            if boldSampler!.step(input: drive) { bold.append(boldSampler!.model.bold) }
        }
    }

    /// Mean firing rate of each population so far (Hz).
    public var rates: [Double] {
        zip(spikeTotals, network.populations).map { time > 0 ? Double($0) / Double($1.size) / (time / 1000) : 0 }
    }

    /// Changes a population's parameters between runs (hyperparameters in assimilation). The
    /// channel set must stay the same; per-neuron Gamma factors are not redrawn.
    public func setParameters(of population: PopulationID, model: NeuronModel? = nil,
                              background: OrnsteinUhlenbeck?? = nil, external: ExternalCurrent? = nil) {
        var p = network.populations[population.index]
        if let model {
            precondition(model.channels == p.model.channels, "the channel set is fixed")
            p.model = model
        }
        if let background { p.background = background }
        if let external { p.external = external }
        constants[population.index] = NeuronConstants(p, dt: network.dt)
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
