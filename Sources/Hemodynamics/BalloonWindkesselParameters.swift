// Parameter sets of the Balloon–Windkessel model (design note science.md, section 3).

/// Parameters of the Balloon–Windkessel hemodynamic model, times in seconds.
///
/// The model, per unit, with neural drive z:
///
///     ds/dt = ε·z − s/τs − (f − 1)/τf          df/dt = s
///     τ0·dv/dt = f − v^(1/α)                   τ0·dq/dt = f·E(f)/E0 − q·v^(1/α − 1)
///     E(f) = 1 − (1 − E0)^(1/f)
///     BOLD = V0·(k1·(1 − q) + k2·(1 − q/v) + k3·(1 − v))
///
/// Tools citing the same paper disagree on values (κ = 0.65/s versus τs = 0.65 s), so a result must
/// carry its parameter set: the type is `Codable` and `name` identifies the preset it came from.
public struct BalloonWindkesselParameters: Sendable, Codable, Equatable, Hashable {
    /// Preset name ("dtb", "friston2003", "tvb-balloon") or a caller's own label.
    public var name: String
    /// ε: efficacy of the neural drive on the vasodilatory signal s.
    public var epsilon: Double
    /// τs (s): decay time of the vasodilatory signal (1/κ).
    public var tauS: Double
    /// τf (s): time constant of flow-dependent feedback on s (1/γ).
    public var tauF: Double
    /// τ0 (s): mean transit time of blood through the venous balloon.
    public var tau0: Double
    /// α: Grubb's exponent, outflow ∝ v^(1/α).
    public var alpha: Double
    /// E0: resting oxygen extraction fraction, in (0, 1).
    public var E0: Double
    /// V0: resting venous blood volume fraction (scales the BOLD signal).
    public var V0: Double
    /// BOLD signal coefficients of the deoxyhemoglobin, ratio and volume terms.
    public var k1: Double, k2: Double, k3: Double

    public init(name: String, epsilon: Double, tauS: Double, tauF: Double, tau0: Double,
                alpha: Double, E0: Double, V0: Double, k1: Double, k2: Double, k3: Double) {
        self.name = name
        self.epsilon = epsilon
        self.tauS = tauS
        self.tauF = tauF
        self.tau0 = tau0
        self.alpha = alpha
        self.E0 = E0
        self.V0 = V0
        self.k1 = k1
        self.k2 = k2
        self.k3 = k3
    }

    /// The DTB code's values (drive z = fraction of the unit's neurons spiking per ms).
    public static let dtb = withClassicCoefficients(
        name: "dtb", epsilon: 200, tauS: 0.8, tauF: 0.4, tau0: 1, alpha: 0.2, E0: 0.8, V0: 0.02)

    /// Friston et al. 2003 as neurolib uses them: κ = 0.65/s and γ = 0.41/s, so τs = 1/0.65 s and
    /// τf = 1/0.41 s.
    public static let friston2003 = withClassicCoefficients(
        name: "friston2003", epsilon: 1, tauS: 1 / 0.65, tauF: 1 / 0.41, tau0: 0.98, alpha: 0.32,
        E0: 0.34, V0: 0.02)

    /// The Virtual Brain's balloon analyzer, with k1, k2, k3 derived from the field strength
    /// dependent constants ϑ0 = 40.3/s, r0 = 25/s, TE = 0.04 s and ε_h = 0.5.
    public static let tvbBalloon: Self = {
        let E0 = 0.4, theta0 = 40.3, r0 = 25.0, echoTime = 0.04, epsilonH = 0.5
        return Self(name: "tvb-balloon", epsilon: 1, tauS: 1.54, tauF: 1.44, tau0: 0.98, alpha: 0.32,
                    E0: E0, V0: 4, k1: 4.3 * theta0 * E0 * echoTime,
                    k2: epsilonH * r0 * E0 * echoTime, k3: 1 - epsilonH)
    }()

    /// All named presets.
    public static let presets: [Self] = [dtb, friston2003, tvbBalloon]

    /// The preset with this name, or nil.
    public static func preset(named name: String) -> Self? {
        presets.first { $0.name == name }
    }

    /// A set with Buxton/Friston's k1 = 7·E0, k2 = 2, k3 = 2·E0 − 0.2.
    private static func withClassicCoefficients(
        name: String, epsilon: Double, tauS: Double, tauF: Double, tau0: Double, alpha: Double,
        E0: Double, V0: Double
    ) -> Self {
        Self(name: name, epsilon: epsilon, tauS: tauS, tauF: tauF, tau0: tau0, alpha: alpha,
             E0: E0, V0: V0, k1: 7 * E0, k2: 2, k3: 2 * E0 - 0.2)
    }

    /// Whether the values define the model: positive times and α, E0 in (0, 1).
    public var isValid: Bool {
        [epsilon, tauS, tauF, tau0, alpha, E0, V0, k1, k2, k3].allSatisfy(\.isFinite)
            && tauS > 0 && tauF > 0 && tau0 > 0 && alpha > 0 && E0 > 0 && E0 < 1
    }
}
