import Dispatch
import Hemodynamics
import Recorders
import SpikingEngine

/// The BOLD band a twin can reach within its hyperparameter bounds, from two short runs: every
/// fitted unit at all the lower bounds, and at all the upper bounds. The band handed to the
/// `zscore-band` observation is the middle 80 % of the range between the two runs' mean BOLD,
/// so that every target lies inside what the members can produce.
public struct BandCalibration: Sendable, Codable, Equatable {
    /// Mean BOLD over the fitted units and the measured frames at the lower and the upper bounds.
    public var atLower: Double
    public var atUpper: Double
    /// Mean firing rate (Hz) of the network at each.
    public var rateAtLower: Double
    public var rateAtUpper: Double
    /// Biological seconds run before measuring, and measured.
    public var warmupSeconds: Double
    public var measuredSeconds: Double

    /// The band the targets are mapped into.
    public var band: ClosedRange<Double>? {
        let lo = min(atLower, atUpper), hi = max(atLower, atUpper)
        guard hi - lo > 1e-9 * max(1, abs(hi)) else { return nil }
        return (lo + 0.1 * (hi - lo))...(hi - 0.1 * (hi - lo))
    }

    /// Runs the two calibration simulations side by side (pure compute).
    public init(network: Network, map: HyperparameterMap, hyperparameters: [Hyperparameter], repetitionTime: Double,
                bold: BalloonWindkesselParameters = .dtb, warmupSeconds: Double = 10, measuredSeconds: Double = 10,
                seed: UInt64) throws {
        guard hyperparameters.map(\.kind) == map.kinds else {
            throw AssimilationError.invalid("the hyperparameters must be the map's kinds, in order")
        }
        let settings = [hyperparameters.map(\.bounds.lower), hyperparameters.map(\.bounds.upper)]
        let recorders = try settings.map { _ in try BOLDRecorder.checked(network, bold, repetitionTime) }
        let simulations = recorders.indices.map { Simulation(network: network, seed: seed, member: UInt32($0), observers: [recorders[$0]]) }
        for (simulation, values) in zip(simulations, settings) {
            map.apply(Array((0..<map.units.count).map { _ in values }.joined()), to: simulation)
        }
        let warm = Int((warmupSeconds * 1000 / network.dt).rounded()), measured = Int((measuredSeconds * 1000 / network.dt).rounded())
        DispatchQueue.concurrentPerform(iterations: 2) { simulations[$0].run(steps: warm) }
        let before = simulations.map { $0.spikeTotals.reduce(0, +) }
        DispatchQueue.concurrentPerform(iterations: 2) { simulations[$0].run(steps: measured) }
        let spikes = simulations.indices.map { simulations[$0].spikeTotals.reduce(0, +) - before[$0] }
        let skip = Int((warmupSeconds / repetitionTime).rounded(.down))
        let means = recorders.map { r -> Double in
            let frames = r.samples.dropFirst(skip)
            let total = frames.reduce(0.0) { sum, frame in sum + map.units.reduce(0.0) { $0 + frame[$1] } }
            return total / Double(max(1, frames.count * map.units.count))
        }
        let neurons = Double(network.populations.reduce(0) { $0 + $1.size })
        atLower = means[0]; atUpper = means[1]
        rateAtLower = Double(spikes[0]) / neurons / max(measuredSeconds, 1e-9)
        rateAtUpper = Double(spikes[1]) / neurons / max(measuredSeconds, 1e-9)
        self.warmupSeconds = warmupSeconds; self.measuredSeconds = measuredSeconds
    }
}
