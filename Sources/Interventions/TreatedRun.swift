import Assimilation
import Foundation
import Hemodynamics
import Recorders
import SpikingEngine

/// Fitted hyperparameters an arm replays: a warm-up at the first frame's values, then `h[t]`
/// before frame t (an assimilated version's h(t); both arms of a study replay the same).
public struct ReplaySchedule: Sendable {
    public let map: HyperparameterMap
    /// Per frame, the values in ``HyperparameterMap`` order.
    public let h: [[Double]]

    public init(map: HyperparameterMap, h: [[Double]]) { self.map = map; self.h = h }
}

/// How one arm's run is simulated and recorded.
public struct RunPlan: Sendable {
    /// Seconds of dynamics before the recorded span (the start-up transient), a whole number of TRs.
    public var warmup: Double
    /// Seconds recorded.
    public var seconds: Double
    /// BOLD sampling interval (s).
    public var repetitionTime: Double
    /// Activity bin (ms), a whole number of steps.
    public var binMilliseconds: Double
    public var bold: BalloonWindkesselParameters
    public var replay: ReplaySchedule?
    /// Also spikes per population in the activity bins.
    public var populationActivity: Bool

    public init(warmup: Double, seconds: Double, repetitionTime: Double, binMilliseconds: Double = 1,
                bold: BalloonWindkesselParameters, replay: ReplaySchedule? = nil, populationActivity: Bool = false) {
        self.warmup = warmup; self.seconds = seconds; self.repetitionTime = repetitionTime
        self.binMilliseconds = binMilliseconds; self.bold = bold; self.replay = replay
        self.populationActivity = populationActivity
    }

    /// Frames recorded.
    public var frames: Int { Int((seconds / repetitionTime).rounded()) }
    var warmupFrames: Int { Int((warmup / repetitionTime).rounded()) }
}

/// What one seed of one arm produced over its recorded span.
public struct TreatedRunResult: Sendable {
    /// BOLD per frame and unit.
    public var bold: [[Double]]
    /// Firing rate per unit (Hz).
    public var unitRates: [Double]
    /// Spikes per unit in each activity bin, bin-major.
    public var activity: [UInt32]
    /// Spikes per population in the same bins, bin-major; empty unless the plan asks for them.
    public var populationActivity: [UInt32]
    public var bins: Int
    public var spikes: Int
}

extension RunPlan {
    /// Simulates `network` with `seed`: the warm-up, then the recorded frames, keeping `silenced`
    /// populations without current whatever the replay sets. Throws when the TR or the bin is not a
    /// whole number of steps, or the replay has fewer frames than the run.
    public func run(_ network: Network, silenced: [PopulationID], seed: UInt64,
                    progress: (Double) -> Void = { _ in }) throws -> TreatedRunResult {
        let stepsPerFrame = try wholeSteps(repetitionTime * 1000, dt: network.dt, "TR \(repetitionTime) s")
        let binSteps = try wholeSteps(binMilliseconds, dt: network.dt, "activity bin \(binMilliseconds) ms")
        if let replay { guard replay.h.count >= frames else {
            throw InterventionError.invalid("the fit has \(replay.h.count) frames; a replay of \(frames) frames needs as many")
        } }
        let recorder: BOLDRecorder
        do { recorder = try BOLDRecorder(network: network, parameters: bold, repetitionTime: repetitionTime) }
        catch { throw InterventionError.invalid("TR \(repetitionTime) s: \(error)") }
        let activity = BinnedUnitCounts(network: network, binSteps: binSteps)
        let perPopulation = populationActivity ? BinnedUnitCounts(network: network, binSteps: binSteps, map: UnitMap(populationsOf: network)) : nil
        let simulation = Simulation(network: network, seed: seed, observers: [recorder, activity] + (perPopulation.map { [$0] } ?? []))
        apply(frame: 0, to: simulation, silenced: silenced)
        simulation.run(steps: warmupFrames * stepsPerFrame)
        activity.reset()
        perPopulation?.reset()
        for t in 0..<frames {
            apply(frame: t, to: simulation, silenced: silenced)
            simulation.run(steps: stepsPerFrame)
            progress(Double(t + 1) * repetitionTime)
        }
        activity.finish()
        perPopulation?.finish()
        let totals = (0..<activity.map.units).map { u in stride(from: u, to: activity.counts.count, by: activity.map.units).reduce(0) { $0 + Int(activity.counts[$1]) } }
        let rates = zip(totals, activity.map.unitSizes).map { $1 > 0 ? Double($0) / Double($1) / seconds : 0 }
        return TreatedRunResult(bold: Array(recorder.samples.suffix(frames)), unitRates: rates, activity: activity.counts,
                                populationActivity: perPopulation?.counts ?? [], bins: activity.bins, spikes: totals.reduce(0, +))
    }

    private func apply(frame t: Int, to simulation: Simulation, silenced: [PopulationID]) {
        guard let replay else { return }
        replay.map.apply(replay.h[t], to: simulation)
        for p in silenced { simulation.setParameters(of: p, background: .some(nil), external: ExternalCurrent.none) }
    }

    private func wholeSteps(_ milliseconds: Double, dt: Double, _ what: String) throws -> Int {
        let steps = (milliseconds / dt).rounded()
        guard milliseconds.isFinite, steps >= 1, abs(steps * dt - milliseconds) < 1e-9 * max(1, milliseconds) else {
            throw InterventionError.invalid("\(what) is not a whole number of \(dt) ms steps")
        }
        return Int(steps)
    }
}
