// Integration at the input step, a fraction or a multiple of it, and sampling at the scan's
// repetition time.

/// Why a sampler cannot be built or restored.
public enum BOLDSamplerError: Error, Equatable, Sendable {
    /// A saved state has another number of units (or averaging window) than the sampler.
    case stateMismatch(units: Int, stored: Int)
    /// Input step, TR, substeps or inputs per step is not positive and finite.
    case invalidTiming
    /// The repetition time is not a whole number of averaging windows (input step × inputs per step).
    case repetitionTimeNotMultipleOfInputStep(repetitionTime: Double, inputStep: Double)
}

/// Everything that determines a simulated BOLD series besides the neural drive: store it with every
/// result.
public struct BOLDSettings: Sendable, Codable, Equatable, Hashable {
    /// Preset name and values.
    public var parameters: BalloonWindkesselParameters
    public var integrator: BalloonIntegrator
    public var initialState: BalloonInitialState
    /// Seconds between input vectors (the engine step or the interval it aggregates activity over).
    public var inputStep: Double
    /// Input vectors averaged into the drive of one integration window.
    public var inputsPerStep: Int
    /// Integration steps per window of `inputsPerStep` inputs.
    public var substeps: Int
    /// Seconds between samples (the scan's TR).
    public var repetitionTime: Double

    /// Seconds per integration step: inputStep · inputsPerStep / substeps.
    public var integrationStep: Double {
        inputStep * Double(inputsPerStep) / Double(substeps)
    }
}

/// Drives a `BalloonWindkessel` with one input vector per `inputStep` and samples BOLD once per
/// repetition time: sample k is the BOLD after input (k + 1)·inputsPerSample, the last step of
/// TR k (the DTB observation; at TR 0.8 s and 1 ms, the 800th step). Warm-up TRs, which DTB
/// discards, are the caller's to skip.
///
/// The integration step is the input step, a fraction of it (`substeps`), or a multiple of it
/// (`inputsPerStep`, the drive averaged over the window so its integral is kept). The hemodynamic
/// time constants are seconds: against the reference step responses, RK4 at 10 ms stays within
/// 2e-9 of the BOLD peak at a tenth of RK4's cost at 1 ms and below Euler's cost at 1 ms (whose
/// error is 7e-4), so `inputsPerStep: 10` suits a 1 ms input with many units.
public struct BOLDSampler: Sendable {
    /// The model being driven. Its units' states may be overwritten between steps (assimilation).
    public var model: BalloonWindkessel
    /// Seconds between input vectors.
    public let inputStep: Double
    /// Input vectors averaged into the drive of one integration window.
    public let inputsPerStep: Int
    /// Integration steps per window of `inputsPerStep` inputs.
    public let substeps: Int
    /// Seconds between samples.
    public let repetitionTime: Double
    /// Input vectors per sample: repetitionTime / inputStep.
    public let inputsPerSample: Int
    /// Seconds per integration step: inputStep · inputsPerStep / substeps.
    public let integrationStep: Double
    /// Input vectors taken so far.
    public internal(set) var inputsTaken = 0
    /// Sum of the inputs of the current window (used when inputsPerStep > 1).
    var windowSum: [Double]

    /// A sampler over `model`; throws unless the repetition time is a whole number of windows of
    /// `inputsPerStep` input steps.
    public init(model: BalloonWindkessel, inputStep: Double, repetitionTime: Double,
                substeps: Int = 1, inputsPerStep: Int = 1) throws(BOLDSamplerError) {
        guard inputStep > 0, inputStep.isFinite, repetitionTime > 0, repetitionTime.isFinite,
              substeps > 0, inputsPerStep > 0 else { throw .invalidTiming }
        let ratio = (repetitionTime / inputStep).rounded()
        // A relative slack of 1e-9 accepts decimal TRs and steps (0.72 / 0.001) that are exact
        // multiples on paper but not in binary.
        guard ratio >= 1, abs(ratio * inputStep - repetitionTime) <= 1e-9 * repetitionTime,
              Int(ratio) % inputsPerStep == 0 else {
            throw .repetitionTimeNotMultipleOfInputStep(repetitionTime: repetitionTime,
                                                         inputStep: inputStep)
        }
        self.model = model
        self.inputStep = inputStep
        self.inputsPerStep = inputsPerStep
        self.substeps = substeps
        self.repetitionTime = repetitionTime
        inputsPerSample = Int(ratio)
        integrationStep = inputStep * Double(inputsPerStep) / Double(substeps)
        windowSum = inputsPerStep > 1 ? Array(repeating: 0, count: model.units) : []
    }

    /// Completed samples (TRs) so far.
    public var samplesTaken: Int { inputsTaken / inputsPerSample }

    /// Simulated seconds so far.
    public var time: Double { Double(inputsTaken) * inputStep }

    /// The settings to store with the BOLD series.
    public var settings: BOLDSettings {
        BOLDSettings(parameters: model.parameters, integrator: model.integrator,
                     initialState: model.initialState, inputStep: inputStep,
                     inputsPerStep: inputsPerStep, substeps: substeps, repetitionTime: repetitionTime)
    }

    /// Takes one input vector (drive per unit, held over `inputStep`). Returns true when it completes
    /// a TR; `model.bold` (or `model.writeBOLD(into:)`) is then that TR's sample.
    @discardableResult
    public mutating func step(input: UnsafeBufferPointer<Double>) -> Bool {
        inputsTaken += 1
        if inputsPerStep == 1 {
            integrate(input)
        } else {
            addToWindow(input)
            if inputsTaken % inputsPerStep == 0 { integrateWindow() }
        }
        return inputsTaken % inputsPerSample == 0
    }

    /// Integrates one window with the drive held at `drive`.
    private mutating func integrate(_ drive: UnsafeBufferPointer<Double>) {
        for _ in 0..<substeps {
            model.step(input: drive, dt: integrationStep)
        }
    }

    private mutating func addToWindow(_ input: UnsafeBufferPointer<Double>) {
        precondition(input.count == windowSum.count,
                     "input has \(input.count) values for \(windowSum.count) units")
        windowSum.withUnsafeMutableBufferPointer { sum in
            for unit in sum.indices { sum[unit] += input[unit] }
        }
    }

    /// Integrates the window with its mean drive and starts the next one.
    private mutating func integrateWindow() {
        var sum = windowSum
        // Move the buffer out of self (no copy): `integrate` mutates self, which must not overlap
        // an access to one of its properties.
        windowSum = []
        let count = Double(inputsPerStep)
        sum.withUnsafeMutableBufferPointer { mean in
            for unit in mean.indices { mean[unit] /= count }
            integrate(UnsafeBufferPointer(mean))
            for unit in mean.indices { mean[unit] = 0 }
        }
        windowSum = sum
    }

    /// Takes one input vector; see `step(input:)` for buffers.
    @discardableResult
    public mutating func step(input: [Double]) -> Bool {
        input.withUnsafeBufferPointer { step(input: $0) }
    }

    /// Runs `samples` TRs with drive `input(time, unit buffer)` filled in per input step (time at
    /// the start of the step) and returns the BOLD samples, one array of units per TR.
    public mutating func run(
        samples: Int, input: (Double, UnsafeMutableBufferPointer<Double>) -> Void
    ) -> [[Double]] {
        var drive = [Double](repeating: 0, count: model.units)
        var series: [[Double]] = []
        series.reserveCapacity(samples)
        while series.count < samples {
            drive.withUnsafeMutableBufferPointer { input(time, $0) }
            if step(input: drive) { series.append(model.bold) }
        }
        return series
    }
}
