import Foundation
import Recorders
import SpikingEngine
import Store

/// Where a one-process run keeps its checkpoint, how often it writes one, and the checkpoint it
/// continues from. The file is named by a digest of everything that decides the run's result
/// (not its thread count, which does not), so only the same run continues from it.
public struct RunCheckpointing {
    public var url: URL
    public var digest: String
    /// Engine steps between checkpoints.
    public var everySteps: Int
    /// The engine's step (ms).
    let dt: Double
    /// The checkpoint found when the run started; nil: the run starts at 0.
    public var resume: RunCheckpoint?

    /// Checkpoints every `every` biological seconds in `home`'s checkpoint folder; nil when
    /// `every` is 0 or the run is no longer than that (it would never write one).
    public init?(plan: TwinRunPlan, every: Double, home: DataHome) throws {
        let steps = Int((every * 1000 / plan.info.parameters.dt).rounded())
        guard every > 0, steps >= 1, plan.seconds > every else { return nil }
        var key = plan
        key.threads = 0
        digest = SHA256.hex(Data(try JSONStyle.compactEncoder().encode(Key(plan: key, code: ProjectResources.codeVersion))))
        url = home.root.appendingPathComponent("checkpoints/run-\(digest.prefix(24)).h5")
        everySteps = steps
        dt = plan.info.parameters.dt
        resume = try RunCheckpoint.read(url, digest: digest)
    }

    /// What the digest covers: the plan (threads aside) and the code that runs it.
    private struct Key: Encodable {
        var plan: TwinRunPlan
        var code: String
    }

    /// Replaces the checkpoint with `checkpoint` (atomically).
    func write(_ checkpoint: RunCheckpoint, units: Int) throws {
        try checkpoint.write(to: url, digest: digest, units: units)
        CrashPoint.stallAfterRunCheckpoint(simulated: checkpoint.seconds(dt: dt))
    }

    /// Removes the checkpoint once the run is recorded.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The recorders of one run, taken together into a checkpoint and restored from one.
struct RunRecorders {
    let bold: BOLDRecorder
    let activity: BinnedUnitCounts?
    let populationActivity: BinnedUnitCounts?
    let raster: SpikeRaster

    func checkpoint(of simulation: Simulation) -> RunCheckpoint {
        RunCheckpoint(engine: simulation.snapshot(), bold: bold.state, activity: activity?.state,
                      populationActivity: populationActivity?.state, raster: raster.spikes)
    }

    /// Puts the engine and every recorder back as the checkpoint saved them.
    func restore(_ checkpoint: RunCheckpoint, into simulation: Simulation) throws {
        guard (checkpoint.activity == nil) == (activity == nil), (checkpoint.populationActivity == nil) == (populationActivity == nil) else {
            throw TwinError.file("the run's checkpoint records other series than this run; remove it to start the run again")
        }
        try simulation.restore(checkpoint.engine)
        try bold.restore(checkpoint.bold)
        if let state = checkpoint.activity { try activity?.restore(state) }
        if let state = checkpoint.populationActivity { try populationActivity?.restore(state) }
        raster.restore(checkpoint.raster)
    }
}
