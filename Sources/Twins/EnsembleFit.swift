import Analyses
import Assimilation
import Foundation
import SpikingEngine
import Store

/// The frame loop of one assimilation: the ensemble from its checkpoint (or from scratch or a
/// warm start), every frame analysed, a checkpoint every few frames and one at the end (the
/// posterior), progress with the running fit on stderr.
struct EnsembleFit {
    let database: Database
    let plan: TwinAssimilator.Plan
    let target: AssimilationStore.Target
    let engine: Network
    let map: HyperparameterMap
    /// Per engine population, whether it is excitatory.
    let excitatory: [Bool]
    let targets: [[Double]]
    let request: TwinAssimilationRequest

    /// `<home>/checkpoints/assimilation-<version id>.h5`.
    var checkpointURL: URL {
        database.home.root.appendingPathComponent("checkpoints/assimilation-\(target.versionID).h5")
    }

    /// Runs the remaining frames; returns every frame (the checkpoint's and the new ones) and the
    /// wall seconds per frame run here (nil when none was left).
    func run(progress: (String) -> Void) throws -> (frames: [AssimilationFrame], secondsPerFrame: Double?) {
        let settings = plan.settings
        let ensemble = try MemberEnsemble(network: engine, excitatory: excitatory,
                                          members: settings.members, seed: settings.filter.seed, kinds: map.kinds, units: map.units,
                                          bold: plan.info.bold, repetitionTime: plan.run.repetitionTime, threads: request.threads)
        let saved = try savedCheckpoint()
        var frames = saved?.frames ?? []
        let filter = try DiffusionFilter(ensemble: ensemble, hyperparameters: settings.hyperparameters, settings: settings.filter,
                                         initialTheta: saved == nil ? try warmStartTheta() : nil, resumingFrom: saved?.filter)
        let started = Date(), first = frames.count
        for t in frames.count..<targets.count {
            frames.append(filter.assimilate(targets[t]))
            let done = t + 1
            if done % request.checkpointEvery == 0 || done == targets.count {
                try save(filter, frames)
                CrashPoint.stallAfterCheckpoint(frame: done)
            }
            progress(line(frame: done, frames: frames, since: started, framesRun: done - first))
        }
        let run = targets.count - first
        return (frames, run > 0 ? Date().timeIntervalSince(started) / Double(run) : nil)
    }

    func savedCheckpoint() throws -> AssimilationFiles.Checkpoint? {
        guard FileManager.default.fileExists(atPath: checkpointURL.path) else { return nil }
        let c = try AssimilationFiles.readCheckpoint(checkpointURL)
        guard c.settingsDigest == plan.digest else {
            throw TwinError.file("\(checkpointURL.path) is the checkpoint of another assimilation; remove it to start this one again")
        }
        return c
    }

    /// θ of the warm-start version's posterior; nil for a cold start.
    func warmStartTheta() throws -> [Double]? {
        guard let version = plan.settings.warmStart else { return nil }
        return try AssimilationStore(database: database).posteriorTheta(versionID: version)
    }

    func save(_ filter: DiffusionFilter, _ frames: [AssimilationFrame]) throws {
        try FileManager.default.createDirectory(at: checkpointURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AssimilationFiles.writeCheckpoint(AssimilationFiles.Checkpoint(filter: filter.checkpoint(), frames: frames,
                                                                           settingsDigest: plan.digest), to: checkpointURL)
        try AssimilationStore(database: database).recordProgress(target, framesDone: frames.count)
    }

    /// `frame 12/60  23.5 s  ETA 94 s  r 0.81`: r is the mean over units of the forecast's
    /// correlation with the targets so far.
    func line(frame: Int, frames: [AssimilationFrame], since started: Date, framesRun: Int) -> String {
        let elapsed = Date().timeIntervalSince(started)
        let eta = elapsed / Double(max(1, framesRun)) * Double(targets.count - frame)
        let transient = AssimilationStore.transient(frame)
        let r = frame - transient >= 3
            ? AssimilationStore.fit(frames: frames, targets: Array(targets.prefix(frame)), transient: transient).boldR : nil
        return String(format: "frame %d/%d  %.1f s  ETA %.0f s", frame, targets.count, elapsed, eta) + (r.map { String(format: "  r %.3f", $0) } ?? "")
    }
}
