// The Balloon–Windkessel model for many units: struct-of-arrays state, allocation-free stepping.

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Balloon–Windkessel hemodynamics of `units` independent units (voxels or regions), each driven by
/// its own neural signal z and yielding a BOLD signal.
///
/// State lives in four contiguous arrays (`s`, `f`, `v`, `q`), one entry per unit.
public struct BalloonWindkessel: Sendable {
    /// The parameter set every unit uses.
    public let parameters: BalloonWindkesselParameters
    /// The time-stepping scheme of `step`.
    public let integrator: BalloonIntegrator
    /// The state the units started from.
    public let initialState: BalloonInitialState

    /// Vasodilatory signal per unit.
    public private(set) var s: [Double]
    /// Normalised blood flow per unit.
    public private(set) var f: [Double]
    /// Normalised venous volume per unit.
    public private(set) var v: [Double]
    /// Normalised deoxyhemoglobin content per unit.
    public private(set) var q: [Double]

    private let rates: BalloonRates

    /// Units at rest (s = 0, f = v = q = 1), integrated with RK4.
    public init(units: Int, parameters: BalloonWindkesselParameters) {
        self.init(units: units, parameters: parameters, integrator: .rk4, initialState: .rest)
    }

    /// Units starting from `initialState`, stepped with `integrator`.
    public init(units: Int, parameters: BalloonWindkesselParameters, integrator: BalloonIntegrator,
                initialState: BalloonInitialState = .rest) {
        precondition(units >= 0, "negative unit count")
        precondition(parameters.isValid, "Balloon–Windkessel parameters out of range: \(parameters)")
        self.parameters = parameters
        self.integrator = integrator
        self.initialState = initialState
        let start = initialState.state
        s = Array(repeating: start.s, count: units)
        f = Array(repeating: start.f, count: units)
        v = Array(repeating: start.v, count: units)
        q = Array(repeating: start.q, count: units)
        rates = BalloonRates(parameters)
    }

    /// Number of units.
    public var units: Int { s.count }

    /// One unit's state. Setting stores the values as given; see `setState(_:unit:floor:)`.
    public subscript(unit: Int) -> BalloonState {
        get { BalloonState(s: s[unit], f: f[unit], v: v[unit], q: q[unit]) }
        set {
            s[unit] = newValue.s
            f[unit] = newValue.f
            v[unit] = newValue.v
            q[unit] = newValue.q
        }
    }

    /// Overwrites one unit's state, as the ensemble Kalman analysis does, raising f, v and q to at
    /// least `floor` (DTB: 1e-5) because the model needs them positive (v^(1/α), (1 − E0)^(1/f),
    /// q/v). s is signed (it undershoots after a stimulus) and is stored as given.
    public mutating func setState(_ state: BalloonState, unit: Int, floor: Double = 1e-5) {
        self[unit] = BalloonState(s: state.s, f: max(state.f, floor), v: max(state.v, floor),
                                  q: max(state.q, floor))
    }

    /// Advances every unit by `dt` seconds with drive `input[unit]` held over the step.
    public mutating func step(input: [Double], dt: Double) {
        input.withUnsafeBufferPointer { step(input: $0, dt: dt) }
    }

    /// Advances every unit by `dt` seconds with drive `input[unit]` held over the step; allocates
    /// nothing.
    public mutating func step(input: UnsafeBufferPointer<Double>, dt: Double) {
        precondition(input.count == units, "input has \(input.count) values for \(units) units")
        precondition(dt > 0 && dt.isFinite, "time step must be positive")
        let rates = rates
        switch integrator {
        case .euler: update { rates.euler($0, z: input[$1], dt: dt) }
        case .rk4: update { rates.rk4($0, z: input[$1], dt: dt) }
        }
    }

    /// BOLD signal per unit for the current state.
    public var bold: [Double] {
        [Double](unsafeUninitializedCapacity: units) { buffer, count in
            writeBOLD(into: buffer)
            count = units
        }
    }

    /// BOLD signal of one unit for the current state.
    public func bold(unit: Int) -> Double {
        rates.bold(v: v[unit], q: q[unit])
    }

    /// Writes the BOLD signal of every unit into `buffer[0..<units]`; allocates nothing.
    public func writeBOLD(into buffer: UnsafeMutableBufferPointer<Double>) {
        precondition(buffer.count >= units, "buffer holds \(buffer.count) values for \(units) units")
        v.withUnsafeBufferPointer { v in
            q.withUnsafeBufferPointer { q in
                for unit in 0..<v.count {
                    buffer[unit] = rates.bold(v: v[unit], q: q[unit])
                }
            }
        }
    }

    /// Replaces each unit's state by `next(state, unit)`, through raw pointers so the hot loop has
    /// no bounds or uniqueness checks.
    @inline(__always)
    private mutating func update(_ next: (BalloonState, Int) -> BalloonState) {
        let count = units
        s.withUnsafeMutableBufferPointer { s in
            f.withUnsafeMutableBufferPointer { f in
                v.withUnsafeMutableBufferPointer { v in
                    q.withUnsafeMutableBufferPointer { q in
                        for unit in 0..<count {
                            let state = BalloonState(s: s[unit], f: f[unit], v: v[unit], q: q[unit])
                            let x = next(state, unit)
                            s[unit] = x.s
                            f[unit] = x.f
                            v[unit] = x.v
                            q[unit] = x.q
                        }
                    }
                }
            }
        }
    }
}

/// The right-hand side of the model with the parameters folded into the constants it uses.
struct BalloonRates: Sendable {
    let epsilon: Double
    let inverseTauS: Double
    let inverseTauF: Double
    let inverseTau0: Double
    let inverseAlpha: Double
    /// 1/α when it is a whole number from 1 to 8 (5 for the `dtb` preset's α = 0.2): then
    /// v^(1/α) is a few multiplications instead of a logarithm and an exponential.
    let wholeInverseAlpha: Int?
    let logRemainingOxygen: Double  // ln(1 − E0)
    let restingExtraction: Double  // E(1), i.e. E0, evaluated the way E(f) is
    let V0k1: Double, V0k2: Double, V0k3: Double

    init(_ p: BalloonWindkesselParameters) {
        epsilon = p.epsilon
        inverseTauS = 1 / p.tauS
        inverseTauF = 1 / p.tauF
        inverseTau0 = 1 / p.tau0
        inverseAlpha = 1 / p.alpha
        let whole = inverseAlpha.rounded()
        wholeInverseAlpha = whole == inverseAlpha && (1...8).contains(whole) ? Int(whole) : nil
        logRemainingOxygen = log(1 - p.E0)
        // E(1) is E0 in real arithmetic. Dividing by E(1) as evaluated in floating point, rather
        // than by E0, makes the rest state an exact fixed point: f·E(f)/E0 at f = 1 could miss 1
        // by an ulp and q would creep away from rest.
        restingExtraction = 1 - exp(logRemainingOxygen)
        V0k1 = p.V0 * p.k1
        V0k2 = p.V0 * p.k2
        V0k3 = p.V0 * p.k3
    }

    /// d(s, f, v, q)/dt at state `x` under drive `z`.
    @inline(__always)
    func derivative(_ x: BalloonState, z: Double) -> BalloonState {
        let outflow = self.outflow(x.v)
        let extraction = (1 - exp(logRemainingOxygen / x.f)) / restingExtraction  // E(f)/E0
        return BalloonState(
            s: epsilon * z - x.s * inverseTauS - (x.f - 1) * inverseTauF,
            f: x.s,
            v: (x.f - outflow) * inverseTau0,
            q: (x.f * extraction - x.q * outflow / x.v) * inverseTau0)
    }

    /// Outflow v^(1/α).
    @inline(__always)
    func outflow(_ v: Double) -> Double {
        guard let n = wholeInverseAlpha else { return exp(log(v) * inverseAlpha) }
        var power = v
        for _ in 1..<n { power *= v }
        return power
    }

    @inline(__always)
    func euler(_ x: BalloonState, z: Double, dt: Double) -> BalloonState {
        x.adding(derivative(x, z: z), times: dt)
    }

    @inline(__always)
    func rk4(_ x: BalloonState, z: Double, dt: Double) -> BalloonState {
        let half = 0.5 * dt
        let k1 = derivative(x, z: z)
        let k2 = derivative(x.adding(k1, times: half), z: z)
        let k3 = derivative(x.adding(k2, times: half), z: z)
        let k4 = derivative(x.adding(k3, times: dt), z: z)
        let sixth = dt / 6
        return BalloonState(
            s: x.s + sixth * (k1.s + 2 * (k2.s + k3.s) + k4.s),
            f: x.f + sixth * (k1.f + 2 * (k2.f + k3.f) + k4.f),
            v: x.v + sixth * (k1.v + 2 * (k2.v + k3.v) + k4.v),
            q: x.q + sixth * (k1.q + 2 * (k2.q + k3.q) + k4.q))
    }

    @inline(__always)
    func bold(v: Double, q: Double) -> Double {
        V0k1 * (1 - q) + V0k2 * (1 - q / v) + V0k3 * (1 - v)
    }
}

extension BalloonState {
    /// self + h·rate, componentwise.
    @inline(__always)
    func adding(_ rate: BalloonState, times h: Double) -> BalloonState {
        BalloonState(s: s + h * rate.s, f: f + h * rate.f, v: v + h * rate.v, q: q + h * rate.q)
    }
}
