// TwinBuilder — turns a subject's per-unit measures into a personal spiking network (pure compute;
// the database layer reads the records and stores the result). Rules: design note §2.
//
//   SubjectRecords + BuildParameters ──TwinBuilder.build──▶ TwinNetwork (explicit edges, counts,
//   summary) ──networkBuilder()──▶ SpikingEngine.NetworkBuilder ──build──▶ Network.
//
// Each scaling rule is a separate function of `TwinRules`, tested on its own.

/// Whether a unit is a laminar cortical column or a two-population subcortical unit.
public enum UnitKind: String, Sendable, Codable, Equatable {
    case cortical
    case subcortical
    /// A gray-matter voxel of a voxel-level twin: the design note's simpler voxel option, one E and
    /// one I population with the subcortical template (internal E : internal I : long-range = 4 : 1 : 2).
    case voxel
}

/// One unit (an atlas region, or a gray-matter voxel at voxel level) of a subject.
public struct UnitRecord: Sendable, Codable, Equatable {
    public var name: String
    public var kind: UnitKind
    /// Gray-matter volume of the unit (any unit, e.g. mm³; only ratios matter).
    public var grayMatterVolume: Double
    /// SV2A PET synaptic density (any unit; only ratios to V1 matter); nil when not measured.
    public var sv2a: Double?
    /// Centroid (mm), used for delays when no tract lengths are given.
    public var centroid: [Double]?

    public init(name: String, kind: UnitKind, grayMatterVolume: Double, sv2a: Double? = nil,
                centroid: [Double]? = nil) {
        self.name = name; self.kind = kind; self.grayMatterVolume = grayMatterVolume
        self.sv2a = sv2a; self.centroid = centroid
    }
}

/// What the builder needs from a subject's stored records.
public struct SubjectRecords: Sendable, Codable, Equatable {
    public var units: [UnitRecord]
    /// DWI tract density, tract groups × tract groups (row = target, column = source); nil when absent.
    public var tractDensity: [[Double]]?
    /// Tract lengths (mm), like ``tractDensity``; nil when absent (centroid distance is used instead).
    public var tractLength: [[Double]]?
    /// The row and column of the tract matrices each unit takes; nil: one per unit, in unit order.
    /// At voxel level every voxel of a region shares the region's row, so a unit's long-range
    /// input comes from a source region ∝ tract density and then from that region's E neurons
    /// uniformly (each voxel ∝ its size).
    public var tractGroups: [Int]?
    /// Names of the V1 units, the SV2A reference (Brainnetome: the MVOcC regions).
    public var v1Units: [String]

    public init(units: [UnitRecord], tractDensity: [[Double]]? = nil, tractLength: [[Double]]? = nil,
                v1Units: [String] = [], tractGroups: [Int]? = nil) {
        self.units = units; self.tractDensity = tractDensity; self.tractLength = tractLength
        self.v1Units = v1Units; self.tractGroups = tractGroups
    }

    /// The tract group of every unit and the number of groups.
    func groups() throws -> (of: [Int], count: Int) {
        guard let g = tractGroups else { return (Array(units.indices), units.count) }
        guard g.count == units.count else {
            throw TwinBuildError.invalidParameter("\(g.count) tract groups for \(units.count) units")
        }
        let count = (g.max() ?? -1) + 1
        guard g.allSatisfy({ $0 >= 0 }), Set(g).count == count else {
            throw TwinBuildError.invalidParameter("tract groups must number 0, 1, ... with every group used")
        }
        return (g, count)
    }
}

/// Why a twin cannot be built; each description is one line naming the cause.
public enum TwinBuildError: Error, Equatable, CustomStringConvertible {
    case noUnits
    case invalidUnit(unit: String, field: String, value: String)
    case duplicateUnit(String)
    case missingModality(modality: String, fallback: String)
    case unknownV1Unit(String)
    case matrixShape(name: String, rows: Int, columns: [Int], units: Int)
    case invalidMatrix(name: String, row: Int, column: Int, value: Double)
    case tooFewNeurons(requested: Int, needed: Int, units: Int, populations: Int)
    case inDegreeTooLarge(unit: String, population: String, requested: Int, available: Int)
    case tooManyDelays(distinct: Int, limit: Int)
    case invalidParameter(String)
    /// A stored network (e.g. read back from files) whose parts do not fit together.
    case inconsistentNetwork(String)

    public var description: String {
        switch self {
        case .noUnits:
            return "the subject has no units to build a twin from"
        case let .invalidUnit(unit, field, value):
            return "unit \(unit): \(field) \(value) is not a positive finite number"
        case let .duplicateUnit(name):
            return "unit \(name) appears more than once"
        case let .missingModality(modality, fallback):
            return "\(modality) is missing for this subject; name a fallback (\(fallback)) to build without it"
        case let .unknownV1Unit(name):
            return "V1 reference unit \(name) is not one of the subject's units"
        case let .matrixShape(name, rows, columns, units):
            let shape = Set(columns).count == 1 ? "\(rows)×\(columns[0])" : "\(rows) rows of uneven length"
            return "\(name) is \(shape), expected \(units)×\(units) (one row and column per unit or tract group)"
        case let .invalidMatrix(name, row, column, value):
            return "\(name)[\(row)][\(column)] = \(value) is not a non-negative finite number"
        case let .tooFewNeurons(requested, needed, units, populations):
            return "N = \(requested) neurons is too few: \(units) units with \(populations) populations need at least \(needed) to give every population a neuron"
        case let .inDegreeTooLarge(unit, population, requested, available):
            return "unit \(unit) population \(population) needs \(requested) distinct presynaptic neurons but only \(available) are available; lower K or raise N"
        case let .tooManyDelays(distinct, limit):
            return "long-range delays take \(distinct) distinct step counts but the engine holds at most \(limit) delay groups; raise dt or the conduction speed"
        case let .invalidParameter(text):
            return text
        case let .inconsistentNetwork(text):
            return "the stored twin network is inconsistent: \(text)"
        }
    }
}
