import Foundation
import HDF5Kit
import SpikingEngine

/// An engine snapshot in an HDF5 group: its arrays as datasets, its scalars for the caller to keep
/// (in a JSON attribute beside its own state).
enum SnapshotDatasets {
    /// A snapshot's scalar parts.
    struct Scalars: Codable, Equatable {
        var seed: UInt64
        var member: UInt32
        var step: Int
        var paddedNeurons: Int
        var pendingStart: Int
        var pendingLength: Int
        var synapticEvents: Int
        var populations: [Population]
    }

    /// Writes `s`'s arrays under `group`; returns its scalars.
    static func write(_ s: SimulationSnapshot, under group: String, to file: HDF5File) throws -> Scalars {
        try file.write("\(group)/potentials", s.potentials, shape: [s.potentials.count])
        try file.write("\(group)/gating", s.gating, shape: [s.gating.count])
        try file.write("\(group)/background", s.background, shape: [s.background.count])
        try file.write("\(group)/external", s.external, shape: [s.external.count])
        try file.write("\(group)/in_flight_neurons", s.inFlightNeurons, shape: [s.inFlightNeurons.count])
        try file.write("\(group)/in_flight_steps", s.inFlightSteps.map(Int64.init), shape: [s.inFlightSteps.count])
        try file.write("\(group)/pending_neurons", s.pendingNeurons, shape: [s.pendingNeurons.count])
        try file.write("\(group)/pending_steps", s.pendingSteps, shape: [s.pendingSteps.count])
        try file.write("\(group)/spike_totals", s.spikeTotals.map(Int64.init), shape: [s.spikeTotals.count])
        return Scalars(seed: s.seed, member: s.member, step: s.step, paddedNeurons: s.paddedNeurons, pendingStart: s.pendingStart,
                       pendingLength: s.pendingLength, synapticEvents: s.synapticEvents, populations: s.populations)
    }

    /// The snapshot whose arrays are under `group` and whose scalars are `scalars`.
    static func read(under group: String, from file: HDF5File, scalars c: Scalars) throws -> SimulationSnapshot {
        SimulationSnapshot(
            seed: c.seed, member: c.member, step: c.step, paddedNeurons: c.paddedNeurons,
            potentials: try file.dataset("\(group)/potentials").read(Float.self), gating: try file.dataset("\(group)/gating").read(Float.self),
            background: try file.dataset("\(group)/background").read(Float.self), external: try file.dataset("\(group)/external").read(Float.self),
            inFlightNeurons: try file.dataset("\(group)/in_flight_neurons").read(UInt32.self),
            inFlightSteps: try file.dataset("\(group)/in_flight_steps").read(Int64.self).map(Int.init),
            pendingNeurons: try file.dataset("\(group)/pending_neurons").read(UInt32.self),
            pendingSteps: try file.dataset("\(group)/pending_steps").read(UInt32.self),
            pendingStart: c.pendingStart, pendingLength: c.pendingLength,
            spikeTotals: try file.dataset("\(group)/spike_totals").read(Int64.self).map(Int.init),
            synapticEvents: c.synapticEvents, populations: c.populations)
    }
}
