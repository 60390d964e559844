import Hemodynamics
import SpikingEngine

/// BOLD from each unit's activity: a Balloon–Windkessel model per unit driven by the fraction of
/// the unit's neurons spiking per ms (count / size / dt[ms], so at dt = 1 ms DTB's fraction per ms),
/// floored at 1e-5, sampled every repetition time.
///
/// The sampler is public and mutable so that an assimilation filter can read and overwrite each
/// unit's hemodynamic state between BOLD frames.
public final class BOLDRecorder: SimulationObserver {
    public let map: UnitMap
    /// The hemodynamic model and its sampling clock.
    public var sampler: BOLDSampler
    /// One sample per completed repetition time, each with one value per unit.
    public internal(set) var samples: [[Double]] = []
    private let dt: Double
    private var drive: [Double]

    /// - Parameters:
    ///   - repetitionTime: seconds between samples; must be a whole number of engine steps.
    ///   - stepsPerIntegration: engine steps averaged into one integration step of the hemodynamics.
    /// - Throws: ``BOLDSamplerError`` when the timing does not fit the network's step.
    public init(network: Network, parameters: BalloonWindkesselParameters = .dtb, integrator: BalloonIntegrator = .rk4,
                initialState: BalloonInitialState = .rest, repetitionTime: Double,
                stepsPerIntegration: Int = 1) throws(BOLDSamplerError) {
        map = UnitMap(network)
        dt = network.dt
        drive = [Double](repeating: 0, count: map.units)
        let model = BalloonWindkessel(units: map.units, parameters: parameters, integrator: integrator,
                                      initialState: initialState)
        sampler = try BOLDSampler(model: model, inputStep: network.dt / 1000, repetitionTime: repetitionTime,
                                  inputsPerStep: stepsPerIntegration)
    }

    public func simulation(_ simulation: Simulation, didAdvance window: SimulationWindow) {
        for s in 0..<window.length {
            map.fractions(window, step: s, into: &drive)
            for u in drive.indices { drive[u] = max(drive[u] / dt, 1e-5) }
            if sampler.step(input: drive) { samples.append(sampler.model.bold) }
        }
    }
}
