/// Everything a ``BOLDSampler`` holds that changes as it runs: each unit's s, f, v, q, the input
/// clock and a part-filled averaging window. Restoring it continues the sampler exactly.
public struct BOLDSamplerState: Sendable, Codable, Equatable {
    public var states: [BalloonState]
    public var inputsTaken: Int
    public var windowSum: [Double]

    public init(states: [BalloonState], inputsTaken: Int, windowSum: [Double]) {
        self.states = states; self.inputsTaken = inputsTaken; self.windowSum = windowSum
    }
}

extension BOLDSampler {
    /// The state now.
    public var state: BOLDSamplerState {
        BOLDSamplerState(states: (0..<model.units).map { model[$0] }, inputsTaken: inputsTaken, windowSum: windowSum)
    }

    /// Continues from `state`, taken of a sampler with the same units and timing.
    public mutating func restore(_ state: BOLDSamplerState) throws(BOLDSamplerError) {
        guard state.states.count == model.units, state.windowSum.count == windowSum.count, state.inputsTaken >= 0 else {
            throw .stateMismatch(units: model.units, stored: state.states.count)
        }
        for (unit, s) in state.states.enumerated() { model[unit] = s }
        inputsTaken = state.inputsTaken
        windowSum = state.windowSum
    }
}

extension BOLDSamplerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidTiming:
            "BOLD timing: the input step, TR, substeps and inputs per step must be positive and finite"
        case .repetitionTimeNotMultipleOfInputStep(let tr, let step):
            "BOLD timing: a TR of \(tr) s is not a whole number of \(step * 1000) ms steps"
        case .stateMismatch(let units, let stored):
            "BOLD state: a saved state of \(stored) units does not fit a sampler of \(units)"
        }
    }
}
