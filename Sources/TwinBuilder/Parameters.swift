import SpikingEngine

/// The populations of one kind of unit and how they connect (design note §2).
public struct ColumnTemplate: Sendable, Codable, Equatable {
    public var names: [String]
    /// Share of the unit's neurons per population (normalised to sum 1 on use).
    public var shares: [Double]
    public var excitatory: [Bool]
    /// Relative local synapse counts, rows postsynaptic, columns presynaptic population.
    public var local: [[Double]]
    /// Relative long-range synapse count per postsynaptic population (the table's last column).
    public var longRange: [Double]
    /// Channel conductances (AMPA, NMDA, GABAa, GABAb) per population at mean degree 100.
    public var conductances: [[Double]]

    public init(names: [String], shares: [Double], excitatory: [Bool], local: [[Double]],
                longRange: [Double], conductances: [[Double]]) {
        self.names = names; self.shares = shares; self.excitatory = excitatory; self.local = local
        self.longRange = longRange; self.conductances = conductances
    }

    /// A cortical column: L2/3, L4, L5, L6, each E and I (design note §2). The builder owns these
    /// tables; the engine's benchmark workloads are made from them, never the other way round, so
    /// no benchmark can change a twin's network.
    public static let laminar = ColumnTemplate(
        names: ["L2/3E", "L2/3I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"],
        shares: [0.2679, 0.0756, 0.2837, 0.0709, 0.0633, 0.0139, 0.1864, 0.0382],
        excitatory: [true, false, true, false, true, false, true, false],
        // Relative synapse counts, rows post, columns pre.
        local: [
            [3554, 804, 881, 45, 431, 0, 136, 0],
            [1778, 532, 456, 29, 217, 0, 69, 0],
            [417, 84, 1070, 690, 79, 93, 1686, 0],
            [168, 41, 628, 538, 36, 0, 1028, 0],
            [2550, 176, 765, 99, 621, 596, 363, 7],
            [1357, 76, 380, 32, 375, 403, 129, 0],
            [643, 46, 549, 196, 327, 126, 925, 597],
            [80, 8, 92, 3, 159, 11, 76, 499],
        ],
        longRange: [1020, 396, 1489, 790, 1591, 214, 2609, 1794],
        // DTB `default_params` conductances (AMPA, NMDA, GABAa, GABAb).
        conductances: [
            [0.0007, 0.00011, 0.001485, 0.000275], [0.0013, 0.00022, 0.00297, 0.000605],
            [0.0008, 0.000165, 0.00187, 0.000385], [0.0014, 0.000275, 0.00319, 0.00066],
            [0.0007, 0.00011, 0.00154, 0.00033], [0.0015, 0.000275, 0.00187, 0.000715],
            [0.0007, 0.000165, 0.001705, 0.00033], [0.0017, 0.00033, 0.002805, 0.00077],
        ])

    /// A subcortical unit: E 0.8 and I 0.2 of its neurons; inputs internal E : internal I :
    /// long-range = 4 : 1 : 2; the two-population E/I conductances.
    public static let subcortical = ColumnTemplate(
        names: ["E", "I"], shares: [0.8, 0.2], excitatory: [true, false],
        local: [[4, 1], [4, 1]], longRange: [2, 2],
        conductances: Array(repeating: [0.0016, 0.000324, 0.003672, 0.000756], count: 2))

    /// Populations per unit.
    public var count: Int { names.count }

    /// Shares normalised to sum 1.
    public var normalisedShares: [Double] {
        let total = shares.reduce(0, +)
        return shares.map { $0 / total }
    }

    func validate(_ label: String) throws {
        let n = names.count
        guard n > 0, shares.count == n, excitatory.count == n, local.count == n, longRange.count == n,
              conductances.count == n, local.allSatisfy({ $0.count == n }),
              conductances.allSatisfy({ $0.count == 4 }) else {
            throw TwinBuildError.invalidParameter("the \(label) template's tables do not all have one entry per population")
        }
        guard excitatory.contains(true) else {
            throw TwinBuildError.invalidParameter("the \(label) template has no excitatory population to project between units")
        }
        let values = shares + longRange + local.joined()
        guard values.allSatisfy({ $0.isFinite && $0 >= 0 }), shares.allSatisfy({ $0 > 0 }) else {
            throw TwinBuildError.invalidParameter("the \(label) template has a negative, zero-share or non-finite entry")
        }
    }
}

/// What to do when a subject has no SV2A PET (or lacks it for any unit).
public enum SV2AFallback: String, Sendable, Codable, Equatable {
    /// Every unit at the reference density (s_v = 1), whatever partial SV2A there is.
    case uniform
}

/// What to do when a subject has no DWI tract density.
public enum DWIFallback: String, Sendable, Codable, Equatable {
    /// Every other unit an equal share of the long-range input.
    case uniform
    /// No connections between units; every input is local.
    case none
}

/// What to do when neither tract lengths nor centroids of every unit give a distance.
public enum DelayFallback: String, Sendable, Codable, Equatable {
    /// Every long-range synapse one step (DTB's choice: no conduction delays).
    case oneStep
}

/// The builder's parameters; recorded with every twin version.
public struct BuildParameters: Sendable, Codable, Equatable {
    /// Total neurons N (exact).
    public var neurons: Int
    /// Mean in-degree K at the V1 reference density.
    public var meanInDegree: Double
    public var seed: UInt64
    /// Bounds of the SV2A scale s_v; nil = no clip.
    public var sv2aClip: ClosedRange<Double>?
    /// Conduction speed (m/s = mm/ms) for long-range delays.
    public var conductionSpeed: Double
    /// Integration step (ms); delays are whole steps, at least one.
    public var dt: Double
    public var sv2aFallback: SV2AFallback?
    public var dwiFallback: DWIFallback?
    public var delayFallback: DelayFallback?
    public var cortical: ColumnTemplate
    public var subcortical: ColumnTemplate
    public var model: NeuronModel
    public var background: OrnsteinUhlenbeck?
    /// Multipliers of the excitatory (AMPA, NMDA) and inhibitory (GABAa, GABAb) conductances.
    public var excitatoryScale: Double
    public var inhibitoryScale: Double
    /// Voxel-level twins: the gray-matter probability a voxel needs to become a unit (applied when
    /// the records are read; kept here so that every version records it). Nil at region level.
    public var grayMatterThreshold: Double?

    public init(neurons: Int, meanInDegree: Double = 100, seed: UInt64,
                sv2aClip: ClosedRange<Double>? = 0.7 ... 1.3, conductionSpeed: Double = 3, dt: Double = 1,
                sv2aFallback: SV2AFallback? = nil, dwiFallback: DWIFallback? = nil,
                delayFallback: DelayFallback? = nil,
                cortical: ColumnTemplate = .laminar, subcortical: ColumnTemplate = .subcortical,
                model: NeuronModel = .dtb2024, background: OrnsteinUhlenbeck? = .dtbFast,
                excitatoryScale: Double = 1, inhibitoryScale: Double = 3, grayMatterThreshold: Double? = nil) {
        self.neurons = neurons; self.meanInDegree = meanInDegree; self.seed = seed
        self.sv2aClip = sv2aClip; self.conductionSpeed = conductionSpeed; self.dt = dt
        self.sv2aFallback = sv2aFallback; self.dwiFallback = dwiFallback; self.delayFallback = delayFallback
        self.cortical = cortical; self.subcortical = subcortical; self.model = model
        self.background = background; self.excitatoryScale = excitatoryScale
        self.inhibitoryScale = inhibitoryScale; self.grayMatterThreshold = grayMatterThreshold
    }

    /// The population template of a unit kind (voxels use the two-population subcortical one).
    public func template(for kind: UnitKind) -> ColumnTemplate {
        kind == .cortical ? cortical : subcortical
    }

    func validate() throws {
        guard neurons > 0 else { throw TwinBuildError.invalidParameter("N = \(neurons): the twin needs a positive number of neurons") }
        guard meanInDegree.isFinite, meanInDegree >= 0 else {
            throw TwinBuildError.invalidParameter("K = \(meanInDegree): the mean in-degree must be a non-negative number")
        }
        if let c = sv2aClip, !(c.lowerBound > 0 && c.upperBound.isFinite) {
            throw TwinBuildError.invalidParameter("SV2A clip \(c) must lie in (0, ∞)")
        }
        guard conductionSpeed.isFinite, conductionSpeed > 0 else {
            throw TwinBuildError.invalidParameter("conduction speed \(conductionSpeed) m/s must be positive")
        }
        guard dt.isFinite, dt > 0 else { throw TwinBuildError.invalidParameter("dt \(dt) ms must be positive") }
        guard model.channels.count == 4 else {
            throw TwinBuildError.invalidParameter("model \(model.name) has \(model.channels.count) channels; the twin needs AMPA, NMDA, GABAa, GABAb")
        }
        try cortical.validate("cortical")
        try subcortical.validate("subcortical")
    }
}
