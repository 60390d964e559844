import Foundation
import Hemodynamics
import Testing

@Test func presetsAreFoundByName() {
    #expect(BalloonWindkesselParameters.presets.map(\.name) == ["dtb", "friston2003", "tvb-balloon"])
    for preset in BalloonWindkesselParameters.presets {
        #expect(BalloonWindkesselParameters.preset(named: preset.name) == preset)
        #expect(preset.isValid)
    }
    #expect(BalloonWindkesselParameters.preset(named: "tvbBalloon") == nil)
    #expect(BalloonWindkesselParameters.preset(named: "") == nil)
}

@Test func presetValuesMatchTheDesignNote() {
    let dtb = BalloonWindkesselParameters.dtb
    #expect([dtb.epsilon, dtb.tauS, dtb.tauF, dtb.tau0, dtb.alpha, dtb.E0, dtb.V0]
        == [200, 0.8, 0.4, 1, 0.2, 0.8, 0.02])
    #expect(abs(dtb.k1 - 5.6) < 1e-15 && dtb.k2 == 2 && abs(dtb.k3 - 1.4) < 1e-15)

    let friston = BalloonWindkesselParameters.friston2003
    #expect(abs(1 / friston.tauS - 0.65) < 1e-15 && abs(1 / friston.tauF - 0.41) < 1e-15)
    #expect([friston.epsilon, friston.tau0, friston.alpha, friston.E0, friston.V0]
        == [1, 0.98, 0.32, 0.34, 0.02])
    #expect(abs(friston.k1 - 2.38) < 1e-15 && friston.k2 == 2 && abs(friston.k3 - 0.48) < 1e-15)

    // k1 = 4.3·40.3·0.4·0.04, k2 = 0.5·25·0.4·0.04, k3 = 1 − 0.5.
    let tvb = BalloonWindkesselParameters.tvbBalloon
    #expect([tvb.epsilon, tvb.tauS, tvb.tauF, tvb.tau0, tvb.alpha, tvb.E0, tvb.V0]
        == [1, 1.54, 1.44, 0.98, 0.32, 0.4, 4])
    #expect(abs(tvb.k1 - 2.77264) < 1e-14 && abs(tvb.k2 - 0.2) < 1e-15 && tvb.k3 == 0.5)
}

@Test func parametersAndSettingsSurviveJSON() throws {
    for preset in BalloonWindkesselParameters.presets {
        let data = try JSONEncoder().encode(preset)
        #expect(try JSONDecoder().decode(BalloonWindkesselParameters.self, from: data) == preset)
    }
    let model = BalloonWindkessel(units: 1, parameters: .friston2003, integrator: .euler,
                                  initialState: .dtb)
    let settings = try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 2,
                                   substeps: 4, inputsPerStep: 2).settings
    let data = try JSONEncoder().encode(settings)
    let decoded = try JSONDecoder().decode(BOLDSettings.self, from: data)
    #expect(decoded == settings)
    #expect(decoded.parameters.name == "friston2003" && decoded.integrator == .euler)
    #expect(decoded.initialState == .dtb && decoded.integrationStep == 0.0005)
    #expect(String(decoding: data, as: UTF8.self).contains("\"initialState\":\"dtb\""))
}
