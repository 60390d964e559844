import Assimilation
import SpikingEngine
import Twins

/// `dtb twin assimilate`'s options as given; ``request()`` parses and checks them.
public struct TwinAssimilationOptions: Sendable {
    /// `TWIN` or `TWIN@VERSION`.
    public var twin: String
    /// The BOLD measure id.
    public var run: Int
    public var members = Self.defaults.members
    /// Comma-separated kinds: `ext`, `ampa`, `nmda`, `gabaa`, `gabab`.
    public var fit = Self.defaults.fit.map(\.rawValue).joined(separator: ",")
    /// `KIND=LO:HI` entries, comma-separated.
    public var bounds: String?
    /// `all` or comma-separated unit names.
    public var units = "all"
    public var seed = Self.defaults.seed
    public var processVariance = Self.defaults.processVariance
    public var observationVariance = Self.defaults.observationVariance
    public var localWeight = Self.defaults.localWeight
    public var inflation = Self.defaults.inflation
    public var warmup = Self.defaults.warmupSeconds
    /// `zscore-band` or `raw`.
    public var observation = Self.defaults.observation.rawValue
    public var dropFrames = Self.defaults.droppedFrames
    public var checkpointEvery = Self.defaults.checkpointEvery
    public var warmStart = Self.defaults.warmStart
    public var threads = defaultThreadCount

    public init(twin: String, run: Int) { self.twin = twin; self.run = run }

    /// The request's defaults, which these options start from.
    private static let defaults = TwinAssimilationRequest.defaults

    /// The options as they are before any is given (the command line's defaults).
    public static let given = TwinAssimilationOptions(twin: "", run: 0)

    /// The request, or a one-line error naming the first bad option.
    public func request() throws -> TwinAssimilationRequest {
        var r = TwinAssimilationRequest(version: try TwinReference(parsing: twin), measure: run, threads: threads)
        r.members = members
        r.fit = try Self.kinds(fit)
        r.bounds = try bounds.map(Self.bounds) ?? [:]
        if let extra = r.bounds.keys.first(where: { !r.fit.contains($0) }) {
            throw ServiceError.invalidRequest("--bounds \(extra.rawValue): not a fitted hyperparameter (--fit \(fit))")
        }
        r.units = units == "all" ? nil : units.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        r.seed = seed
        r.processVariance = processVariance; r.observationVariance = observationVariance
        r.localWeight = localWeight; r.inflation = inflation; r.warmupSeconds = warmup
        guard let preset = Observation.Preset(rawValue: observation) else {
            throw ServiceError.invalidRequest("--observation \(observation): use \(Observation.Preset.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        r.observation = preset
        r.droppedFrames = dropFrames
        r.checkpointEvery = checkpointEvery
        r.warmStart = warmStart
        return r
    }

    static func kinds(_ text: String) throws -> [HyperparameterKind] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            guard let kind = HyperparameterKind(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                throw ServiceError.invalidRequest("--fit \(text): '\(part)' is not one of \(HyperparameterKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    static func bounds(_ text: String) throws -> [HyperparameterKind: ClosedRange<Double>] {
        var out: [HyperparameterKind: ClosedRange<Double>] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let range = parts.count == 2 ? parts[1].split(separator: ":").map { Double($0) } : []
            guard parts.count == 2, let kind = HyperparameterKind(rawValue: String(parts[0])), range.count == 2,
                  let lo = range[0], let hi = range[1] else {
                throw ServiceError.invalidRequest("--bounds '\(entry)': write KIND=LO:HI, e.g. ext=0.02:0.4")
            }
            guard lo.isFinite, hi.isFinite, lo < hi else {
                throw ServiceError.invalidRequest("--bounds '\(entry)': the lower bound must be finite and below the upper")
            }
            out[kind] = lo ... hi
        }
        return out
    }
}
