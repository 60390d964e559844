import Assimilation
import Foundation
import Hemodynamics

/// What `dtb twin assimilate` asks for. Every field has the Fudan DTB's default where it has one.
public struct TwinAssimilationRequest: Sendable {
    public var version: TwinReference
    /// The BOLD measure fitted (`dtb subject show` lists them).
    public var measure: Int
    public var members = 32
    public var fit: [HyperparameterKind] = [.externalCurrent]
    /// Bounds per fitted kind; a kind missing here takes ``TwinAssimilationRequest/defaultBounds(_:)``.
    public var bounds: [HyperparameterKind: ClosedRange<Double>] = [:]
    /// Fitted units by name; nil: every unit.
    public var units: [String]?
    /// Seed of the filter's draws and of the members' dynamics.
    public var seed: UInt64 = 1
    /// Q and ρ at the ends of DTB's ranges (0.01–1; 0.5 or 0.8) that fit the noisy units of a small
    /// twin best (`docs/assimilation.md`); R as DTB.
    public var processVariance = 1.0
    public var observationVariance = 1e-8
    public var localWeight = 0.5
    public var inflation = 1.0
    public var warmupSeconds = 10.0
    public var observation: Observation.Preset = .zscoreBand
    public var droppedFrames = 0
    /// Frames between checkpoints.
    public var checkpointEvery = 5
    /// Start from the parent's posterior ensemble when it has one of this shape.
    public var warmStart = true
    public var threads: Int

    public init(version: TwinReference, measure: Int, threads: Int) {
        self.version = version; self.measure = measure; self.threads = threads
    }

    /// I_ext within [0.02, 0.12] (a built twin fires about 7 Hz at the lower bound and 36 Hz at
    /// the upper; 0.4 drives it past 100 Hz); conductance factors within [1/4, 4] of the built
    /// value, as DTB bounds g by real/4 … real·4.
    public static func defaultBounds(_ kind: HyperparameterKind) -> ClosedRange<Double> {
        kind == .externalCurrent ? 0.02 ... 0.12 : 0.25 ... 4
    }

    /// Most members an ensemble may have.
    public static let maxMembers = 1024

    /// Every setting at its default (version, measure and threads are placeholders): where the
    /// command line's options start.
    public static let defaults = TwinAssimilationRequest(version: TwinReference(twin: "-"), measure: 0, threads: 1)
}

/// Everything that decides an assimilation's result (threads and checkpoint spacing do not):
/// recorded as `assimilation.settings`, and hashed to find the same assimilation again.
public struct AssimilationSettings: Sendable, Codable, Equatable {
    public var parent: Int
    public var measure: Int
    public var members: Int
    public var hyperparameters: [Hyperparameter]
    /// Fitted unit names, in unit order.
    public var units: [String]
    public var filter: FilterSettings
    public var observation: Observation.Preset
    public var droppedFrames: Int
    public var warmStart: Int?
}

/// What an assimilation did.
public struct TwinAssimilationOutcome: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        /// A new version, fitted from its start.
        case created
        /// An interrupted assimilation, finished from its checkpoint.
        case resumed
        /// This exact assimilation had already finished: its version is returned.
        case unchanged
    }

    public var twin: String
    public var version: Int
    public var parent: Int
    public var action: Action
    public var measure: Int
    public var frames: Int
    public var members: Int
    public var fittedUnits: Int
    public var hyperparameters: [Hyperparameter]
    public var observation: ObservationRecord
    /// Ensemble-mean predicted BOLD against the targets during assimilation.
    public var fit: AssimilationFit
    public var warmStart: Int?
    public var wallSeconds: Double
    public var secondsPerFrame: Double
}

/// The observation as recorded: preset, dropped frames, the band and its calibration.
public struct ObservationRecord: Sendable, Codable, Equatable {
    public var preset: Observation.Preset
    public var droppedFrames: Int
    public var band: ClosedRange<Double>?
    public var calibration: BandCalibration?
    public var task: String?
    /// The task's events as stored with the run (absent for a rest run).
    public var events: [TaskEvent]?
    public var repetitionTime: Double
}

/// The fit during assimilation: per fitted unit, r of the filter's forecast with the targets.
public struct AssimilationFit: Sendable, Codable, Equatable {
    /// Frames left out at the start (the filter's own transient).
    public var transientFrames: Int
    /// Mean over units of the one-TR-ahead forecast's r with the targets (the strict figure).
    public var boldR: Double?
    public var boldRPerUnit: [Double?]
    /// Mean over units of the analysed ensemble-mean BOLD's r with the targets: how closely the
    /// filter tracks the data (the DTB's "BOLD correlation while tracking"; with R = 1e-8 the
    /// analysis is nearly the observation, so this is near 1 whenever the filter is stable).
    public var trackingR: Double?
    /// Wall seconds per frame of the frame loop (the last process's part of it, for a resumed fit).
    public var secondsPerFrame: Double?
}

extension TwinAssimilationRequest {
    /// The request that repeats an earlier fit's recipe (members, hyperparameters and bounds,
    /// units, filter settings, observation) on another version and run — so that the earlier
    /// fit's posterior can warm-start it.
    public init(repeating s: AssimilationSettings, version: TwinReference, measure: Int, threads: Int) {
        self.init(version: version, measure: measure, threads: threads)
        members = s.members
        fit = s.hyperparameters.map(\.kind)
        bounds = Dictionary(uniqueKeysWithValues: s.hyperparameters.map { ($0.kind, $0.bounds.lower ... $0.bounds.upper) })
        units = s.units
        seed = s.filter.seed
        processVariance = s.filter.processVariance
        observationVariance = s.filter.analysis.observationVariance
        localWeight = s.filter.analysis.localWeight
        inflation = s.filter.inflation
        warmupSeconds = s.filter.warmupSeconds
        observation = s.observation
        droppedFrames = s.droppedFrames
    }
}
