import Analyses
import Assimilation
import Foundation
import Hemodynamics
import SpikingEngine
import Store

/// What the frame loop of an assimilation needs once it is planned: the same on every process
/// that shares the ensemble (Codable, so that the one process talking to the database can
/// broadcast it).
public struct FitSetup: Sendable, Codable {
    /// The parent version's SONATA files by role (checksums verified).
    public var files: [String: String]
    public var settings: AssimilationSettings
    public var bold: BalloonWindkesselParameters
    public var repetitionTime: Double
    /// The observed frames, one value per fitted unit.
    public var targets: [[Double]]
    /// The fitted network units.
    public var fitted: [Int]
    /// The settings digest a checkpoint must carry.
    public var digest: String
    public var checkpoint: String
    public var checkpointEvery: Int
    public var threads: Int
    /// θ of the warm start's posterior; nil for a cold start.
    public var warmStartTheta: [Double]?
}

/// The frame loop of one assimilation: the ensemble from its checkpoint (or from scratch or a
/// warm start), every frame analysed, a checkpoint every few frames and one at the end (the
/// posterior), progress with the running fit on stderr. With a ``MemberShare`` this process
/// advances only its members and checkpoints only theirs (``CheckpointSet``); only a fit with a
/// `record` hook records progress (and writes the manifest of a shared checkpoint).
struct EnsembleFit {
    let setup: FitSetup
    let engine: Network
    let map: HyperparameterMap
    /// Per engine population, whether it is excitatory.
    let excitatory: [Bool]
    let share: MemberShare?
    /// Told the frames done after each checkpoint is complete; nil: a process that does not record.
    let record: ((Int) throws -> Void)?

    var checkpoints: CheckpointSet { CheckpointSet(single: URL(fileURLWithPath: setup.checkpoint)) }

    /// Runs the remaining frames; returns every frame (the checkpoint's and the new ones) and the
    /// wall seconds per frame run here (nil when none was left).
    func run(progress: (String) -> Void) throws -> (frames: [AssimilationFrame], secondsPerFrame: Double?) {
        let settings = setup.settings, targets = setup.targets
        let ensemble = try MemberEnsemble(network: engine, excitatory: excitatory,
                                          members: settings.members, seed: settings.filter.seed, kinds: map.kinds, units: map.units,
                                          bold: setup.bold, repetitionTime: setup.repetitionTime, threads: setup.threads, share: share)
        let saved = try savedCheckpoint()
        var frames = saved?.frames ?? []
        let filter = try DiffusionFilter(ensemble: ensemble, hyperparameters: settings.hyperparameters, settings: settings.filter,
                                         initialTheta: saved == nil ? setup.warmStartTheta : nil, resumingFrom: saved?.filter)
        let started = Date(), first = frames.count
        for t in frames.count..<targets.count {
            frames.append(filter.assimilate(targets[t]))
            let done = t + 1
            if done % setup.checkpointEvery == 0 || done == targets.count {
                try save(filter, frames)
                if record != nil { CrashPoint.stallAfterCheckpoint(frame: done) }
            }
            progress(line(frame: done, frames: frames, since: started, framesRun: done - first))
        }
        let run = targets.count - first
        return (frames, run > 0 ? Date().timeIntervalSince(started) / Double(run) : nil)
    }

    /// The latest checkpoint's state of this process's members, nil when there is none.
    func savedCheckpoint() throws -> AssimilationFiles.Checkpoint? {
        try checkpoints.read(members: share?.local ?? 0..<setup.settings.members, digest: setup.digest)
    }

    /// Writes this process's members' state: the one file of a fit in one process; when shared,
    /// each process its own file, and the recording one the manifest once all are complete. Only
    /// then is progress recorded.
    func save(_ filter: DiffusionFilter, _ frames: [AssimilationFrame]) throws {
        let checkpoint = AssimilationFiles.Checkpoint(filter: filter.checkpoint(), frames: frames, settingsDigest: setup.digest)
        guard let share else {
            guard let record else { return }
            try checkpoints.writeSingle(checkpoint)
            try record(frames.count)
            return
        }
        let mine = try checkpoints.writeRank(checkpoint, rank: share.process, ranks: share.blocks.count)
        // The all-gather is also the barrier: past it, every rank's file is complete.
        let files = try share.allGather(Array(JSONEncoder().encode(mine))).map {
            try JSONDecoder().decode(CheckpointSet.RankFile.self, from: Data($0))
        }
        guard let record else { return }
        try checkpoints.commit(CheckpointSet.Manifest(settingsDigest: setup.digest, frame: checkpoint.filter.frame, ranks: files.count,
                                                      members: setup.settings.members, files: files))
        try record(frames.count)
    }

    /// `frame 12/60  23.5 s  ETA 94 s  r 0.81`: r is the mean over units of the forecast's
    /// correlation with the targets so far.
    func line(frame: Int, frames: [AssimilationFrame], since started: Date, framesRun: Int) -> String {
        let targets = setup.targets
        let elapsed = Date().timeIntervalSince(started)
        let eta = elapsed / Double(max(1, framesRun)) * Double(targets.count - frame)
        let transient = AssimilationStore.transient(frame)
        let r = frame - transient >= 3
            ? AssimilationStore.fit(frames: frames, targets: Array(targets.prefix(frame)), transient: transient).boldR : nil
        return String(format: "frame %d/%d  %.1f s  ETA %.0f s", frame, targets.count, elapsed, eta) + (r.map { String(format: "  r %.3f", $0) } ?? "")
    }
}
