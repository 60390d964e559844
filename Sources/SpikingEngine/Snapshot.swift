// Checkpoints: everything a simulation holds between two windows, so that a run stopped at any
// window boundary (a killed assimilation, a study continued later) resumes with exactly the
// spikes an uninterrupted run gives. Random numbers are counter-based, so there is no generator
// state to save: the step number is the state.

/// A simulation's state between two windows. Restoring it into a simulation of the same network
/// (with any number of partitions) continues the run exactly.
public struct SimulationSnapshot: Sendable, Codable, Equatable {
    public var seed: UInt64
    public var member: UInt32
    public var step: Int
    /// Neurons the snapshot was taken of (including block padding), to refuse another network.
    public var paddedNeurons: Int
    public var potentials: [Float]
    public var gating: [Float]
    public var background: [Float]
    public var external: [Float]
    /// The delivered spikes whose synapses may still be in flight (canonical order): internal
    /// neuron and absolute emission step. Restoring queues their segments that arrive from `step` on.
    public var inFlightNeurons: [UInt32]
    public var inFlightSteps: [Int]
    /// The last window's spikes, exchanged but not yet delivered (canonical order), and that window.
    public var pendingNeurons: [UInt32]
    public var pendingSteps: [UInt32]
    public var pendingStart: Int
    public var pendingLength: Int
    public var spikeTotals: [Int]
    public var synapticEvents: Int
    /// The populations as last set (parameters changed between windows).
    public var populations: [Population]

    /// A snapshot read back from a file (``Simulation/restore(_:)`` checks it against the network).
    public init(seed: UInt64, member: UInt32, step: Int, paddedNeurons: Int, potentials: [Float], gating: [Float],
                background: [Float], external: [Float], inFlightNeurons: [UInt32], inFlightSteps: [Int],
                pendingNeurons: [UInt32], pendingSteps: [UInt32], pendingStart: Int, pendingLength: Int,
                spikeTotals: [Int], synapticEvents: Int, populations: [Population]) {
        self.seed = seed; self.member = member; self.step = step; self.paddedNeurons = paddedNeurons
        self.potentials = potentials; self.gating = gating; self.background = background; self.external = external
        self.inFlightNeurons = inFlightNeurons; self.inFlightSteps = inFlightSteps
        self.pendingNeurons = pendingNeurons; self.pendingSteps = pendingSteps
        self.pendingStart = pendingStart; self.pendingLength = pendingLength
        self.spikeTotals = spikeTotals; self.synapticEvents = synapticEvents; self.populations = populations
    }
}

/// Why a snapshot cannot be restored into a simulation.
public enum SnapshotError: Error, Equatable, CustomStringConvertible {
    case otherNetwork(String)

    public var description: String {
        switch self { case .otherNetwork(let what): "the checkpoint is of another network: \(what)" }
    }
}

extension Simulation {
    /// The state now (between windows).
    public func snapshot() -> SimulationSnapshot {
        let n = network.paddedCount, stride = network.channelStride
        var neurons: [UInt32] = [], steps: [UInt32] = []
        for buffer in pending {
            for spike in buffer.spikes { neurons.append(spike.neuron); steps.append(spike.step) }
        }
        let inFlight = history.windows.flatMap { w in w.spikes.map { (neuron: $0.neuron, step: w.start + Int($0.step)) } }
        return SimulationSnapshot(
            seed: seed, member: member, step: step, paddedNeurons: n,
            potentials: Array(UnsafeBufferPointer(start: state.v, count: n)),
            gating: Array(UnsafeBufferPointer(start: state.j, count: n * stride)),
            background: Array(UnsafeBufferPointer(start: state.background, count: n)),
            external: Array(UnsafeBufferPointer(start: state.external, count: n)),
            inFlightNeurons: inFlight.map(\.neuron), inFlightSteps: inFlight.map(\.step),
            pendingNeurons: neurons, pendingSteps: steps, pendingStart: pendingStart, pendingLength: pendingLength,
            spikeTotals: spikeTotals, synapticEvents: synapticEvents, populations: populations)
    }

    /// Continues from `snapshot`, taken of a simulation of this network with this seed and member.
    public func restore(_ snapshot: SimulationSnapshot) throws {
        let n = network.paddedCount, stride = network.channelStride, slots = state.arrivalSlots
        try check(snapshot, n: n, stride: stride)
        snapshot.potentials.withUnsafeBufferPointer { state.v.update(from: $0.baseAddress!, count: n) }
        snapshot.gating.withUnsafeBufferPointer { state.j.update(from: $0.baseAddress!, count: n * stride) }
        snapshot.background.withUnsafeBufferPointer { state.background.update(from: $0.baseAddress!, count: n) }
        snapshot.external.withUnsafeBufferPointer { state.external.update(from: $0.baseAddress!, count: n) }
        // Between windows every arrival slot has been read: nothing waits there.
        state.arrivals.update(repeating: 0, count: slots * n * stride)
        dirty.update(repeating: false, count: network.partitions.count * slots)
        let restored = SpikeBuffer(capacity: snapshot.pendingNeurons.count)
        for (neuron, step) in zip(snapshot.pendingNeurons, snapshot.pendingSteps) { restored.append(Spike(neuron: neuron, step: step)) }
        pending = [restored]
        pendingStart = snapshot.pendingStart
        pendingLength = snapshot.pendingLength
        restoreCounters(step: snapshot.step, spikeTotals: snapshot.spikeTotals, events: snapshot.synapticEvents)
        requeue(neurons: snapshot.inFlightNeurons, steps: snapshot.inFlightSteps)
        // The saved per-neuron currents already hold any Gamma factors: only the constants change.
        for (p, population) in snapshot.populations.enumerated() where population != populations[p] { use(population, for: p) }
    }

    /// Queues again, in every partition, the segments of the in-flight spikes that arrive from the
    /// restored step on (in their canonical order, as they were queued), and keeps the spikes as
    /// the history of one window spanning them.
    private func requeue(neurons: [UInt32], steps: [Int]) {
        for (p, partition) in network.partitions.enumerated() {
            let table = partition.synapses, queue = queues[p]
            queue.removeAll()
            for (neuron, emitted) in zip(neurons, steps) {
                queue.queue(spikeOf: Int(neuron), emitted: emitted, through: table, arrivingFrom: step)
            }
        }
        guard let first = steps.min(), let last = steps.max() else { return history.replace(with: []) }
        let spikes = zip(neurons, steps).map { Spike(neuron: $0, step: UInt32($1 - first)) }
        history.replace(with: [(start: first, length: last - first + 1, spikes: spikes)])
    }

    private func check(_ s: SimulationSnapshot, n: Int, stride: Int) throws {
        guard s.paddedNeurons == n, s.potentials.count == n, s.gating.count == n * stride, s.background.count == n,
              s.external.count == n, s.inFlightNeurons.count == s.inFlightSteps.count,
              s.pendingNeurons.count == s.pendingSteps.count, s.spikeTotals.count == network.populations.count,
              s.populations.count == network.populations.count else {
            throw SnapshotError.otherNetwork("its arrays do not fit \(network.neuronCount) neurons in \(network.populations.count) populations")
        }
        guard s.seed == seed, s.member == member else {
            throw SnapshotError.otherNetwork("seed \(s.seed) member \(s.member), not seed \(seed) member \(member)")
        }
        guard zip(s.populations, network.populations).allSatisfy({ $0.model.channels == $1.model.channels && $0.size == $1.size }),
              s.pendingNeurons.allSatisfy({ Int($0) < n }), s.inFlightNeurons.allSatisfy({ Int($0) < n }),
              s.inFlightSteps.allSatisfy({ $0 >= s.step - (1 << 30) && $0 < s.step }) else {
            throw SnapshotError.otherNetwork("its populations or spikes do not fit")
        }
    }
}
