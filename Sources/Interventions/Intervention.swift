// What a virtual treatment does to a twin, on the twin's own unit names (the storage layer
// resolves region selectors — labels, names, lobes, gyri, networks — into these names).

/// A receptor channel of the model, in its channel order (AMPA, NMDA, GABAa, GABAb).
public enum ReceptorChannel: String, Sendable, Codable, CaseIterable {
    case ampa, nmda, gabaa, gabab

    /// Its index among the model's channels.
    public var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// One change to a twin; a treatment arm applies a list of them in order. JSON: one key, the
/// kind, holding the labelled values (`{"silence": {"units": […]}}`).
public enum Intervention: Sendable, Codable, Equatable {
    /// The long-range synapses from any unit of `from` onto any unit of `to` removed.
    case lesion(from: [String], to: [String])
    /// The units' neurons out of the dynamics: no synapses from or onto them, no background or
    /// external current, so they rest at V_L and never spike.
    case silence(units: [String])
    /// Long-range excitatory sources moved (``Rewiring``).
    case rewire(rewiring: Rewiring)
    /// A current injected into every population of the units (``Stimulation``).
    case stimulate(stimulation: Stimulation)
    /// One channel's conductance scaled (``ReceptorChange``).
    case receptor(change: ReceptorChange)
}

/// How long-range excitatory synapses are rewired.
public struct Rewiring: Sendable, Codable, Equatable {
    /// The rewiring rule.
    public enum Model: String, Sendable, Codable, CaseIterable {
        /// With probability P each synapse takes its source from one of the target unit's k
        /// nearest units (by centroid distance).
        case nearest
        /// Null model: the sources of all long-range synapses permuted, so every neuron keeps its
        /// out-degree and every target its in-degree (P of them take part).
        case degreePreserving = "degree-preserving"
        /// Null model: a random directed unit graph with as many connected pairs as the twin's,
        /// each target unit's long-range synapses spread over its sources in that graph.
        case erdosRenyi = "erdos-renyi"
    }

    public var model: Model
    /// Probability that a synapse takes part, in [0, 1].
    public var probability: Double
    /// Nearest units to choose from (``Model/nearest``).
    public var neighbours: Int

    public init(model: Model = .nearest, probability: Double, neighbours: Int = 4) {
        self.model = model; self.probability = probability; self.neighbours = neighbours
    }
}

/// A stimulation protocol: a waveform between an onset and an offset (seconds of the recorded
/// span), into every population of `units`.
public struct Stimulation: Sendable, Codable, Equatable {
    /// The current's time course.
    public enum Waveform: Sendable, Codable, Equatable {
        /// Pulses of `width` ms at `frequency` Hz (the DTB's deep-brain stimulation: 125 Hz, one step, −6).
        case pulses(frequency: Double, width: Double, amplitude: Double)
        /// amplitude·sin(2π f t) (e.g. a 20 Hz beta drive of 0.04).
        case sine(frequency: Double, amplitude: Double)
        /// A constant current.
        case constant(amplitude: Double)
        /// Samples held for `interval` ms each (from a time-series file).
        case series(samples: [Double], interval: Double)
    }

    public var units: [String]
    public var waveform: Waveform
    /// Seconds from the start of the recorded span.
    public var onset: Double
    /// Seconds from the start of the recorded span; nil: to the end.
    public var offset: Double?

    public init(units: [String], waveform: Waveform, onset: Double = 0, offset: Double? = nil) {
        self.units = units; self.waveform = waveform; self.onset = onset; self.offset = offset
    }
}

/// A drug-like change of one receptor channel: its conductance times `factor` in the named units
/// (all units when nil), optionally weighted by a regional map: unit u gets 1 + (factor − 1)·w_u
/// with w the map scaled to [0, 1] over the units.
public struct ReceptorChange: Sendable, Codable, Equatable {
    public var channel: ReceptorChannel
    public var factor: Double
    public var units: [String]?
    /// Per unit name, the map's value (units missing from it get weight 0).
    public var map: [String: Double]?

    public init(channel: ReceptorChannel, factor: Double, units: [String]? = nil, map: [String: Double]? = nil) {
        self.channel = channel; self.factor = factor; self.units = units; self.map = map
    }
}

/// Why a treatment cannot be applied; one line naming the value.
public enum InterventionError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self { case .invalid(let message): return message }
    }
}
