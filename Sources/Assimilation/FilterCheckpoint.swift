import Hemodynamics
import SpikingEngine

/// The ensemble between two frames as one process holds it: θ of every member, and the engine and
/// hemodynamic state of the members it advances (all of them in one process; its own block when
/// the ensemble is shared, so that no process ever holds the others' engine states). Resuming
/// every process from its block gives exactly the uninterrupted fit.
public struct FilterCheckpoint: Sendable, Codable, Equatable {
    public var frame: Int
    public var theta: [Double]
    /// The first member of ``members`` (0 for the whole ensemble).
    public var firstMember: Int
    /// The engine state of members firstMember ..< firstMember + members.count.
    public var members: [SimulationSnapshot]
    /// Their Balloon–Windkessel states, in the same order.
    public var bold: [BOLDSamplerState]

    public init(frame: Int, theta: [Double], firstMember: Int = 0, members: [SimulationSnapshot], bold: [BOLDSamplerState]) {
        self.frame = frame; self.theta = theta; self.firstMember = firstMember; self.members = members; self.bold = bold
    }

    /// The members whose states it holds.
    public var memberRange: Range<Int> { firstMember..<(firstMember + members.count) }
}

extension DiffusionFilter {
    /// The state now, between frames: this process's members (each process of a shared ensemble
    /// takes its own; they need not call it together).
    public func checkpoint() -> FilterCheckpoint {
        let local = ensemble.local
        return FilterCheckpoint(frame: frame, theta: theta, firstMember: local.lowerBound, members: ensemble.snapshots(),
                                bold: local.map { ensemble.bold[$0].sampler.state })
    }
}
