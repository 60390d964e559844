import Hemodynamics
import SpikingEngine

// What the recorders of a run hold between two windows, so that a run continued from a checkpoint
// records exactly what an uninterrupted one does. Each state is taken and restored between windows.

extension BOLDRecorder {
    /// The samples so far and the hemodynamic state.
    public struct State: Sendable, Codable, Equatable {
        public var samples: [[Double]]
        public var sampler: BOLDSamplerState

        public init(samples: [[Double]], sampler: BOLDSamplerState) { self.samples = samples; self.sampler = sampler }
    }

    /// The state now.
    public var state: State { State(samples: samples, sampler: sampler.state) }

    /// Continues from `state`, taken of a recorder of the same units and timing.
    public func restore(_ state: State) throws(BOLDSamplerError) {
        guard state.samples.allSatisfy({ $0.count == map.units }) else {
            throw .stateMismatch(units: map.units, stored: state.samples.first?.count ?? 0)
        }
        try sampler.restore(state.sampler)
        samples = state.samples
    }
}

extension BinnedUnitCounts {
    /// The complete bins, the bin being filled and how many of its steps have passed.
    public struct State: Sendable, Codable, Equatable {
        public var counts: [UInt32]
        public var current: [UInt32]
        public var stepsInBin: Int

        public init(counts: [UInt32], current: [UInt32], stepsInBin: Int) {
            self.counts = counts; self.current = current; self.stepsInBin = stepsInBin
        }
    }

    /// Why a saved state does not fit this recorder.
    public struct StateMismatch: Error, CustomStringConvertible {
        public let description: String
    }

    /// The state now.
    public var state: State { State(counts: counts, current: current, stepsInBin: stepsInBin) }

    /// Continues from `state`, taken of a recorder with the same series and bin.
    public func restore(_ state: State) throws {
        guard state.current.count == map.units, state.counts.count % max(1, map.units) == 0, (0..<binSteps).contains(state.stepsInBin) else {
            throw StateMismatch(description: "saved activity counts of \(state.current.count) series do not fit a recorder of \(map.units)")
        }
        counts = state.counts
        current = state.current
        stepsInBin = state.stepsInBin
    }
}

extension SpikeRaster {
    /// Continues with the spikes recorded before a checkpoint.
    public func restore(_ saved: [RasterSpike]) { spikes = saved }
}
