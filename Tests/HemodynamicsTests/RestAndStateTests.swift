import Hemodynamics
import Testing

// Coarse steps too: a rate off by one ulp at rest (e.g. E(1)/E0 for E0 = 0.34) is rounded away
// by 1 + 1e-3·ulp but not by 1 + 1·ulp.
@Test("zero input keeps every unit exactly at rest",
      arguments: BalloonWindkesselParameters.presets, BalloonIntegrator.allCases)
func restIsAnExactFixedPoint(parameters: BalloonWindkesselParameters, integrator: BalloonIntegrator) {
    for (dt, steps) in [(0.001, 10_000), (1.0, 100)] {
        var model = BalloonWindkessel(units: 3, parameters: parameters, integrator: integrator)
        let zero = [Double](repeating: 0, count: 3)
        for _ in 0..<steps {
            model.step(input: zero, dt: dt)
        }
        #expect(model.s == zero, "dt \(dt)")
        #expect(model.f == [1, 1, 1] && model.v == [1, 1, 1] && model.q == [1, 1, 1], "dt \(dt)")
        #expect(model.bold == zero, "dt \(dt)")
    }
}

@Test func defaultModelIsRK4AtRest() {
    let model = BalloonWindkessel(units: 2, parameters: .dtb)
    #expect(model.integrator == .rk4 && model.initialState == .rest && model.units == 2)
    #expect(model[1] == BalloonState(s: 0, f: 1, v: 1, q: 1))
}

@Test func dtbInitialStateStartsWithoutDeoxyhemoglobinAndRelaxesToRest() {
    let parameters = BalloonWindkesselParameters.dtb
    var model = BalloonWindkessel(units: 1, parameters: parameters, integrator: .rk4,
                                  initialState: .dtb)
    #expect(model[0] == BalloonState(s: 0, f: 1, v: 1, q: 0))
    // q = 0, v = 1: BOLD = V0·(k1 + k2).
    #expect(abs(model.bold(unit: 0) - parameters.V0 * (parameters.k1 + parameters.k2)) < 1e-15)
    for _ in 0..<3_000 {
        model.step(input: [0], dt: 0.01)
    }
    #expect(abs(model.q[0] - 1) < 1e-9 && abs(model.bold(unit: 0)) < 1e-9)
}

@Test func setStateFloorsFlowVolumeAndContentButNotTheSignal() {
    var model = BalloonWindkessel(units: 2, parameters: .dtb)
    model.setState(BalloonState(s: -0.2, f: 0, v: -1, q: 1e-9), unit: 1)
    #expect(model[1] == BalloonState(s: -0.2, f: 1e-5, v: 1e-5, q: 1e-5))
    #expect(model[0] == .rest)
    model.setState(BalloonState(s: 0.1, f: 1.2, v: 1.1, q: 0.9), unit: 0, floor: 0.95)
    #expect(model[0] == BalloonState(s: 0.1, f: 1.2, v: 1.1, q: 0.95))
    model[0] = BalloonState(s: 0, f: 0.5, v: 0.5, q: 0.5)
    #expect(model.f[0] == 0.5)
}

@Test func bufferAndArrayInterfacesAgree() {
    var a = BalloonWindkessel(units: 3, parameters: .tvbBalloon, integrator: .euler)
    var b = a
    let drive = [0.1, 0.2, 0.3]
    for _ in 0..<500 {
        a.step(input: drive, dt: 0.001)
        drive.withUnsafeBufferPointer { b.step(input: $0, dt: 0.001) }
    }
    var written = [Double](repeating: .nan, count: 3)
    written.withUnsafeMutableBufferPointer { b.writeBOLD(into: $0) }
    #expect(a.bold == written && written == (0..<3).map { a.bold(unit: $0) })
    #expect(a.s == b.s && a.q == b.q)
}
