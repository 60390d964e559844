// The neuron model and its named parameter presets (values from ../shared/design/science.md §1 and
// ../shared/peers/NETWORK.md). Units: ms and mV throughout; capacitance and conductances in any
// consistent pair (dimensionless in DTB, pF and nS in the COBA benchmark).

/// One receptor channel: a gating variable J that jumps by the weights of arriving spikes and decays
/// exactly, J ← J·exp(−dt/τ), driving the current g·J·(E_rev − V).
public struct SynapticChannel: Sendable, Codable, Equatable, Hashable {
    public var name: String
    /// Decay time constant τ (ms).
    public var tau: Double
    /// Reversal potential E_rev (mV).
    public var reversal: Double

    public init(name: String, tau: Double, reversal: Double) {
        self.name = name; self.tau = tau; self.reversal = reversal
    }
}

/// A conductance-based leaky integrate-and-fire neuron:
///
///     C dV/dt = −g_L (V − V_L) + Σ_u g_u J_u (E_u − V) + I_bg + I_ext
///     V ≥ V_th → spike; V held at V_reset for the refractory period.
///
/// Integration (per step dt): arriving weights are added to J, V takes one forward-Euler step
/// (as DTB and Brian2 do), threshold and reset are applied, then J decays exactly by exp(−dt/τ_u)
/// and the OU background current takes its exact update.
public struct NeuronModel: Sendable, Codable, Equatable {
    /// Preset name, recorded with every result.
    public var name: String
    public var capacitance: Double
    public var leakConductance: Double
    public var leakReversal: Double
    public var threshold: Double
    public var reset: Double
    /// Refractory period (ms), rounded to whole steps.
    public var refractoryPeriod: Double
    /// The receptor channels, in the order synapse groups refer to them.
    public var channels: [SynapticChannel]
    /// g_u: the conductance scale of each channel's gating variable.
    public var conductances: [Double]

    public init(name: String, capacitance: Double, leakConductance: Double, leakReversal: Double,
                threshold: Double, reset: Double, refractoryPeriod: Double,
                channels: [SynapticChannel], conductances: [Double]) {
        precondition(channels.count == conductances.count, "one conductance per channel")
        precondition((1...4).contains(channels.count), "one to four channels")
        self.name = name; self.capacitance = capacitance; self.leakConductance = leakConductance
        self.leakReversal = leakReversal; self.threshold = threshold; self.reset = reset
        self.refractoryPeriod = refractoryPeriod; self.channels = channels; self.conductances = conductances
    }

    /// DTB's four receptor channels with the given time constants (AMPA, NMDA, GABAa, GABAb).
    public static func dtbChannels(tau: [Double]) -> [SynapticChannel] {
        zip(["AMPA", "NMDA", "GABAa", "GABAb"], zip(tau, [0.0, 0, -70, -100])).map {
            SynapticChannel(name: $0, tau: $1.0, reversal: $1.1)
        }
    }

    /// The DTB public example (NSR 2024).
    public static let dtb2024 = NeuronModel(
        name: "dtb-2024", capacitance: 0.5, leakConductance: 0.025, leakReversal: -70, threshold: -50,
        reset: -55, refractoryPeriod: 2, channels: dtbChannels(tau: [2, 40, 20, 50]),
        conductances: [0.002, 0, 0.01, 0])

    /// The defaults of DTB's network generator.
    public static let dtbGenerator = NeuronModel(
        name: "dtb-generator", capacitance: 1, leakConductance: 0.03, leakReversal: -75, threshold: -50,
        reset: -65, refractoryPeriod: 5, channels: dtbChannels(tau: [2, 40, 10, 50]),
        conductances: [5.0 / 275, 5.0 / 4000, 3.0 / 30, 3.0 / 730])

    /// The shared COBA benchmark neuron (Brette et al. 2007; ../shared/peers/NETWORK.md): C in pF,
    /// conductances in nS, so weights are conductance jumps in nS with g_u = 1.
    public static let coba = NeuronModel(
        name: "coba-brette2007", capacitance: 200, leakConductance: 10, leakReversal: -60, threshold: -50,
        reset: -60, refractoryPeriod: 5,
        channels: [SynapticChannel(name: "AMPA", tau: 5, reversal: 0),
                   SynapticChannel(name: "GABAa", tau: 10, reversal: -80)],
        conductances: [1, 1])

    public static let presets = [dtb2024, dtbGenerator, coba]

    public static func preset(named name: String) -> NeuronModel? {
        presets.first { $0.name == name }
    }

    /// The same membrane with other channel conductances (e.g. a laminar population's g_u).
    public func with(conductances g: [Double]) -> NeuronModel {
        var copy = self
        precondition(g.count == channels.count, "one conductance per channel")
        copy.conductances = g
        return copy
    }
}

/// Ornstein–Uhlenbeck background current with stationary mean μ and standard deviation σ, updated
/// exactly: I ← I + (1 − e^{−dt/τ})(μ − I) + σ √(1 − e^{−2dt/τ}) ξ. Starts from its stationary law.
public struct OrnsteinUhlenbeck: Sendable, Codable, Equatable {
    public var name: String
    /// Correlation time τ (ms).
    public var tau: Double
    public var mean: Double
    public var sigma: Double

    public init(name: String = "custom", tau: Double, mean: Double, sigma: Double) {
        self.name = name; self.tau = tau; self.mean = mean; self.sigma = sigma
    }

    /// DTB `default_params` background (τ 10 ms, μ 0.66, σ 0.12).
    public static let dtbSlow = OrnsteinUhlenbeck(name: "dtb-tau10", tau: 10, mean: 0.66, sigma: 0.12)
    /// DTB's second background preset (τ 4 ms, μ 0.4, σ 0.15).
    public static let dtbFast = OrnsteinUhlenbeck(name: "dtb-tau4", tau: 4, mean: 0.4, sigma: 0.15)
}

/// An external current added to a population's neurons.
public enum ExternalCurrent: Sendable, Codable, Equatable {
    case none
    /// The same current for every neuron.
    case constant(Double)
    /// Per neuron `mean·γ_j`, γ_j ~ Gamma(shape, rate = shape) drawn once (mean 1, CV 1/√shape).
    case gamma(mean: Double, shape: Double)
    /// A time course for the whole population, sample-and-hold every `interval` ms from t = 0;
    /// zero after the last sample (stimulation protocols, task input).
    case timeCourse([Double], interval: Double)
}

/// A population-wide current time course (nA-equivalent units of the model's currents).
public struct Stimulus: Sendable, Codable, Equatable {
    /// The current of each sample, held for `interval` ms.
    public var samples: [Double]
    /// Sample spacing (ms), a whole number of steps at least one step long.
    public var interval: Double

    public init(samples: [Double], interval: Double) { self.samples = samples; self.interval = interval }
}

/// An independent Poisson spike train into every neuron of a population, arriving on one channel.
public struct PoissonDrive: Sendable, Codable, Equatable {
    /// Rate per neuron (Hz).
    public var rate: Double
    /// Jump of the channel's gating variable per input spike.
    public var weight: Double
    /// Index into the model's channels.
    public var channel: Int

    public init(rate: Double, weight: Double, channel: Int) {
        self.rate = rate; self.weight = weight; self.channel = channel
    }
}

/// A group of neurons sharing one parameter set, stored contiguously.
public struct Population: Sendable, Codable, Equatable {
    public var name: String
    public var size: Int
    public var model: NeuronModel
    public var background: OrnsteinUhlenbeck?
    public var external: ExternalCurrent
    public var poisson: PoissonDrive?
    /// The unit (region or voxel) whose activity this population feeds, if any.
    public var unit: Int?
    /// Initial membrane potentials, uniform in this range; V_L when nil.
    public var initialPotential: ClosedRange<Double>?
    /// A current added to every neuron on top of ``external`` (a stimulation protocol): sample and
    /// hold every `interval` ms from t = 0, zero after the last sample. Kept apart from
    /// ``external`` so that a stimulated unit keeps its own (e.g. fitted Gamma) current.
    public var stimulus: Stimulus?

    public init(name: String, size: Int, model: NeuronModel, background: OrnsteinUhlenbeck? = nil,
                external: ExternalCurrent = .none, poisson: PoissonDrive? = nil, unit: Int? = nil,
                initialPotential: ClosedRange<Double>? = nil) {
        precondition(size > 0, "a population has neurons")
        self.name = name; self.size = size; self.model = model; self.background = background
        self.external = external; self.poisson = poisson; self.unit = unit
        self.initialPotential = initialPotential
    }
}
