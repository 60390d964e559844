import Hemodynamics
import TwinBuilder
import Twins

/// `dtb twin build`'s options as given; ``request()`` checks them and makes the build request.
public struct TwinBuildOptions: Sendable {
    /// Subject label, with or without `sub-`.
    public var subject: String
    public var atlas: String
    public var level: TwinLevel = .region
    /// Voxel level: the gray-matter probability a voxel needs to become a unit.
    public var grayMatterThreshold = 0.5
    public var neurons: Int
    public var degree = 100.0
    public var seed: UInt64
    /// `LOW,HIGH` or `none`.
    public var sv2aClip = "0.7,1.3"
    public var sv2aFallback: SV2AFallback?
    public var dwiFallback: DWIFallback?
    /// SV2A reference regions, comma-separated; nil: the atlas manifest's.
    public var sv2aReference: String?
    /// m/s.
    public var conductionSpeed = 3.0
    /// ms.
    public var dt = 1.0
    /// Balloon–Windkessel preset name.
    public var bold = "dtb"
    /// Name of a new twin; nil: `<subject>-<atlas>[-voxel]`.
    public var name: String?

    public init(subject: String, atlas: String, neurons: Int, seed: UInt64) {
        self.subject = subject; self.atlas = atlas; self.neurons = neurons; self.seed = seed
    }

    /// The build request, or a one-line ``ServiceError`` for the first option out of range.
    public func request() throws -> TwinBuildRequest {
        try BuildLimits.check(neurons: neurons, degree: degree)
        try BuildLimits.check(dt: dt)
        try BuildLimits.check(conductionSpeed: conductionSpeed)
        try BuildLimits.check(grayMatterThreshold: grayMatterThreshold)
        if let name, name.count > TwinRegistry.maximumNameLength {
            throw ServiceError.invalidOption("--name", value: "'\(name.prefix(24))…'", problem: "\(name.count) characters, more than \(TwinRegistry.maximumNameLength)")
        }
        guard let preset = BalloonWindkesselParameters.preset(named: bold) else {
            let known = BalloonWindkesselParameters.presets.map(\.name).joined(separator: ", ")
            throw ServiceError.invalidOption("--bold", value: bold, problem: "unknown preset (known: \(known))")
        }
        var parameters = BuildParameters(neurons: neurons, meanInDegree: degree, seed: seed, sv2aClip: try BuildLimits.clip(sv2aClip),
                                         conductionSpeed: conductionSpeed, dt: dt, sv2aFallback: sv2aFallback,
                                         dwiFallback: dwiFallback, grayMatterThreshold: level == .voxel ? grayMatterThreshold : nil)
        if dwiFallback == DWIFallback.none { parameters.delayFallback = nil }
        return TwinBuildRequest(subject: subject, atlas: atlas, level: level, parameters: parameters, bold: preset,
                                reference: sv2aReference.map { $0.split(separator: ",").map(String.init) }, name: name)
    }
}
