import Foundation
import Hemodynamics
import Testing

// The s–f pair is a linear damped oscillator, f̃'' + f̃'/τs + f̃/τf = ε·z with f̃ = f − 1, independent
// of v and q. All presets are underdamped (1/τf > 1/(2τs)²), so from rest under a step z0:
//     f̃(t) = ε·z0·τf·(1 − e^(−βt)·(cos ωt + (β/ω)·sin ωt)),   s(t) = (ε·z0/ω)·e^(−βt)·sin ωt
// with β = 1/(2τs) and ω = √(1/τf − β²).
@Test("signal and flow follow the damped-oscillator solution",
      arguments: BalloonWindkesselParameters.presets)
func flowFollowsTheOscillatorSolution(parameters p: BalloonWindkesselParameters) throws {
    let z0 = 0.3 / (p.epsilon * p.tauF)  // 30 % flow increase at steady state
    let beta = 1 / (2 * p.tauS)
    try #require(1 / p.tauF > beta * beta, "the closed form below is the underdamped one")
    let omega = (1 / p.tauF - beta * beta).squareRoot()
    var model = BalloonWindkessel(units: 1, parameters: p)
    var worstF = 0.0, worstS = 0.0
    for step in 1...10_000 {
        model.step(input: [z0], dt: 0.001)
        let t = Double(step) * 0.001
        let decay = exp(-beta * t)
        let oscillation = cos(omega * t) + beta / omega * sin(omega * t)
        let f = 1 + p.epsilon * z0 * p.tauF * (1 - decay * oscillation)
        let s = p.epsilon * z0 / omega * decay * sin(omega * t)
        worstF = max(worstF, abs(model.f[0] - f))
        worstS = max(worstS, abs(model.s[0] - s))
    }
    // Flow rises by 0.3 and s peaks at order 0.1–0.5; RK4 at 1 ms is good to ~1e-13 here.
    #expect(worstF < 1e-11 && worstS < 1e-11, "f error \(worstF), s error \(worstS)")
}

// Under sustained drive z0 the model settles at the fixed point f = 1 + ε·z0·τf, v = f^α,
// q = v·E(f)/E0 with E(f) = 1 − (1 − E0)^(1/f).
@Test("sustained drive settles at the analytic fixed point",
      arguments: BalloonWindkesselParameters.presets)
func sustainedDriveReachesTheFixedPoint(parameters p: BalloonWindkesselParameters) {
    let z0 = 0.4 / (p.epsilon * p.tauF)
    var model = BalloonWindkessel(units: 1, parameters: p)
    for _ in 0..<12_000 {
        model.step(input: [z0], dt: 0.01)  // 120 s: the slowest mode decays as e^(−t/(2τs))
    }
    let f = 1 + p.epsilon * z0 * p.tauF
    let v = pow(f, p.alpha)
    let q = v * (1 - pow(1 - p.E0, 1 / f)) / p.E0
    let bold = p.V0 * (p.k1 * (1 - q) + p.k2 * (1 - q / v) + p.k3 * (1 - v))
    let state = model[0]
    #expect(abs(state.s) < 1e-12 && abs(state.f - f) < 1e-12)
    #expect(abs(state.v - v) < 1e-12 && abs(state.q - q) < 1e-12)
    #expect(abs(model.bold(unit: 0) - bold) < 1e-12 * max(1, abs(bold)))
}
