import Hemodynamics
import Testing

/// A drive that changes every step, so a sample taken one step early or late would differ.
func varyingDrive(step: Int, unit: Int) -> Double {
    0.002 + 0.001 * Double((step * 7 + unit * 3) % 5)
}

@Test func samplesTheLastStepOfEachRepetitionTime() throws {
    let model = BalloonWindkessel(units: 2, parameters: .dtb, integrator: .euler)
    var sampler = try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.8)
    #expect(sampler.inputsPerSample == 800)

    var shadow = model
    var samples: [[Double]] = []
    var shadowAtTREnds: [[Double]] = []
    for step in 0..<4_000 {
        let drive = (0..<2).map { varyingDrive(step: step, unit: $0) }
        shadow.step(input: drive, dt: 0.001)
        if (step + 1) % 800 == 0 { shadowAtTREnds.append(shadow.bold) }
        if sampler.step(input: drive) {
            #expect(sampler.inputsTaken == step + 1)
            samples.append(sampler.model.bold)
        }
    }
    #expect(samples.count == 5 && sampler.samplesTaken == 5)
    #expect(samples == shadowAtTREnds)
    #expect(abs(sampler.time - 4) < 1e-12)
}

@Test func runReturnsOneSamplePerRepetitionTime() throws {
    var sampler = try BOLDSampler(
        model: BalloonWindkessel(units: 3, parameters: .friston2003),
        inputStep: 0.001, repetitionTime: 0.72)
    #expect(sampler.inputsPerSample == 720)
    var times: [Double] = []
    let series = sampler.run(samples: 4) { time, drive in
        times.append(time)
        for unit in drive.indices { drive[unit] = 0.1 * Double(unit) }
    }
    #expect(series.count == 4 && series.allSatisfy { $0.count == 3 })
    #expect(sampler.inputsTaken == 2_880 && times.count == 2_880)
    #expect(times.first == 0 && abs(times.last! - 2.879) < 1e-12)
    #expect(series[3][0] == 0 && series[3][2] > series[3][1])
}

@Test func substepsIntegrateAtAFractionOfTheInputStep() throws {
    let model = BalloonWindkessel(units: 1, parameters: .tvbBalloon, integrator: .euler)
    var sampler = try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.01, substeps: 4)
    #expect(sampler.settings.integrationStep == 0.00025)
    var fine = model
    for step in 0..<10 {
        let drive = [varyingDrive(step: step, unit: 0)]
        sampler.step(input: drive)
        for _ in 0..<4 { fine.step(input: drive, dt: 0.00025) }
    }
    #expect(sampler.samplesTaken == 1 && sampler.model.bold == fine.bold)
}

@Test func inputsPerStepIntegratesTheWindowMeanAtAMultipleOfTheInputStep() throws {
    let model = BalloonWindkessel(units: 2, parameters: .friston2003)
    var sampler = try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.1,
                                  inputsPerStep: 10)
    #expect(sampler.integrationStep == 0.01 && sampler.settings.integrationStep == 0.01)
    var coarse = model
    var window = [0.0, 0.0]
    for step in 0..<200 {
        let drive = (0..<2).map { varyingDrive(step: step, unit: $0) * 100 }
        let sampled = sampler.step(input: drive)
        for unit in 0..<2 { window[unit] += drive[unit] }
        if (step + 1) % 10 == 0 {
            coarse.step(input: window.map { $0 / 10 }, dt: 0.01)
            window = [0, 0]
        }
        #expect(sampled == ((step + 1) % 100 == 0))
        #expect(sampler.model.s == coarse.s && sampler.model.q == coarse.q)
    }
    #expect(sampler.samplesTaken == 2)
}

@Test func rejectsRepetitionTimesThatAreNotWholeSteps() {
    let model = BalloonWindkessel(units: 1, parameters: .dtb)
    #expect(throws: BOLDSamplerError.repetitionTimeNotMultipleOfInputStep(
        repetitionTime: 0.8005, inputStep: 0.001)) {
        try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.8005)
    }
    #expect(throws: BOLDSamplerError.repetitionTimeNotMultipleOfInputStep(
        repetitionTime: 0.0005, inputStep: 0.001)) {
        try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.0005)
    }
    #expect(throws: BOLDSamplerError.repetitionTimeNotMultipleOfInputStep(
        repetitionTime: 0.805, inputStep: 0.001)) {
        try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.805, inputsPerStep: 10)
    }
    #expect(throws: BOLDSamplerError.invalidTiming) {
        try BOLDSampler(model: model, inputStep: 0, repetitionTime: 0.8)
    }
    #expect(throws: BOLDSamplerError.invalidTiming) {
        try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.8, inputsPerStep: 0)
    }
    #expect(throws: BOLDSamplerError.invalidTiming) {
        try BOLDSampler(model: model, inputStep: 0.001, repetitionTime: 0.8, substeps: 0)
    }
}
