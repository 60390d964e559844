import Hemodynamics
import SpikingEngine

/// The whole ensemble between two frames: θ, every member's engine state and hemodynamic state,
/// and the frames analysed so far. Resuming from it gives exactly the uninterrupted fit.
public struct FilterCheckpoint: Sendable, Codable, Equatable {
    public var frame: Int
    public var theta: [Double]
    public var members: [SimulationSnapshot]
    public var bold: [BOLDSamplerState]

    public init(frame: Int, theta: [Double], members: [SimulationSnapshot], bold: [BOLDSamplerState]) {
        self.frame = frame; self.theta = theta; self.members = members; self.bold = bold
    }
}

extension DiffusionFilter {
    /// The state now, between frames (gathered from every process when the ensemble is shared:
    /// all of them call it together).
    public func checkpoint() throws -> FilterCheckpoint {
        FilterCheckpoint(frame: frame, theta: theta, members: try ensemble.snapshots(), bold: ensemble.samplerStates)
    }
}
