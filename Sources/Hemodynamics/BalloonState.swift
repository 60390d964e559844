// One unit's hemodynamic state and the choices that shape an integration.

/// The hemodynamic state of one unit: vasodilatory signal s, normalised blood flow f, venous volume
/// v and deoxyhemoglobin content q (f, v, q relative to rest).
public struct BalloonState: Sendable, Codable, Equatable, Hashable {
    public var s: Double
    public var f: Double
    public var v: Double
    public var q: Double

    public init(s: Double, f: Double, v: Double, q: Double) {
        self.s = s
        self.f = f
        self.v = v
        self.q = q
    }

    /// The physiological rest state, a fixed point of the model under zero drive.
    public static let rest = BalloonState(s: 0, f: 1, v: 1, q: 1)
}

/// Where every unit starts.
public enum BalloonInitialState: String, Sendable, Codable, CaseIterable {
    /// s = 0, f = v = q = 1: the rest state; no transient.
    case rest
    /// The DTB code's start, s = 0, f = v = 1 and q = 0 (the design note's "sic"): not a fixed
    /// point, so BOLD starts far from rest and relaxes over a few τ0. DTB discards five TRs.
    case dtb

    /// The state each unit takes.
    public var state: BalloonState {
        switch self {
        case .rest: .rest
        case .dtb: BalloonState(s: 0, f: 1, v: 1, q: 0)
        }
    }
}

/// The time-stepping scheme. Both hold the drive z constant over a step (it is a per-step spike
/// fraction), so they solve the ODE for piecewise-constant input; errors below are for the
/// reference step responses (Tests/HemodynamicsTests/Fixtures), relative to the BOLD peak.
public enum BalloonIntegrator: String, Sendable, Codable, CaseIterable {
    /// Explicit Euler, first order: the DTB code's scheme. Error 7e-4 at 1 ms, 7e-5 at 0.1 ms.
    case euler
    /// Classic fourth-order Runge–Kutta, the default: four right-hand-side evaluations per step
    /// (six times Euler's time) for an error of 3e-12 at 1 ms and 2e-9 at 10 ms.
    case rk4
}
