import Assimilation
import Foundation
import SpikingEngine
import TwinBuilder

/// The sample subject's BOLD runs, made by a ground-truth twin: the subject's own built twin run
/// with known, time-varying external currents h_u(t) (an identical-twin experiment — the fit
/// shares the network, not the noise). Written as BIDS region time series derivatives (pipeline
/// `dtb-truth`), with the truth beside them, so that an assimilation's recovery can be checked.
public struct SampleRuns: Sendable {
    /// One run: its session, task, frames and the seed of its noise.
    public struct Run: Sendable, Equatable {
        public var session: String
        public var task: String
        public var frames: Int
        public var seed: UInt64

        public init(session: String, task: String, frames: Int, seed: UInt64) {
            self.session = session; self.task = task; self.frames = frames; self.seed = seed
        }
    }

    public static let repetitionTime = 2.0
    /// Biological seconds run before the first frame (the start-up transient lasts ~5 s).
    public static let warmupSeconds = 10.0
    public static let sessionOne = [Run(session: "1", task: "rest", frames: 30, seed: 101)]
    public static let sessionTwo = [Run(session: "2", task: "rest", frames: 30, seed: 202)]

    /// h_u(t) of a run: a level per unit in [0.035, 0.07] and a slow oscillation of ±0.015
    /// (period 25 frames, 0.02 Hz at TR 2 s, where resting BOLD has its power) with a phase per
    /// unit and run — inside the default bounds [0.02, 0.12], where the twin fires 7–36 Hz.
    public static func truth(unit u: Int, frame t: Int, run: Run) -> Double {
        let level = 0.035 + 0.035 * Double((u * 37) % 101) / 100
        let phase = Double((u * 53 + Int(run.seed)) % 97) / 97 * 2 * Double.pi
        return level + 0.015 * sin(2 * Double.pi * Double(t) / 25 + phase)
    }

    public let network: TwinNetwork

    public init(network: TwinNetwork) { self.network = network }

    /// The run's BOLD (frames × units) with h(t) set on every unit's E populations frame by frame.
    public func simulate(_ run: Run, threads: Int) throws -> [[Double]] {
        let engine = network.networkBuilder().build(partitions: max(1, threads))
        let map = try HyperparameterMap(populations: UnitPopulations(network: engine, excitatory: network.populations.map(\.excitatory)),
                                        kinds: [.externalCurrent])
        let replay = Replay(network: engine, map: map, repetitionTime: Self.repetitionTime, warmupSeconds: Self.warmupSeconds)
        let units = network.unitNames.count
        return try replay.run((0..<run.frames).map { t in (0..<units).map { Self.truth(unit: $0, frame: t, run: run) } }, seed: run.seed)
    }

    /// Where ``write(_:subject:atlas:into:threads:)`` puts a run's files in the dataset at `root`.
    public static func folder(of run: Run, subject: String, in root: URL) -> URL {
        root.appendingPathComponent("derivatives/dtb-truth/sub-\(subject)/ses-\(run.session)/func", isDirectory: true)
    }

    /// Simulates the run and writes `derivatives/dtb-truth/sub-<label>/ses-<s>/func/..._atlas-<atlas>_timeseries.tsv`
    /// (+ `.json` with RepetitionTime) and `..._desc-truth_hyperparameters.tsv` (h per frame and unit).
    public func write(_ run: Run, subject: String, atlas: String, into root: URL, threads: Int) throws {
        let bold = try simulate(run, threads: threads)
        let folder = Self.folder(of: run, subject: subject, in: root)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let description = root.appendingPathComponent("derivatives/dtb-truth/dataset_description.json")
        try Data(#"{"Name": "dtb ground-truth twin runs", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "dtb-truth", "Version": "1"}]}"#.utf8)
            .write(to: description)
        let stem = "sub-\(subject)_ses-\(run.session)_task-\(run.task)"
        let header = network.unitNames.joined(separator: "\t") + "\n"
        let rows = bold.map { $0.map { String(format: "%.9g", $0) }.joined(separator: "\t") + "\n" }.joined()
        try Data((header + rows).utf8).write(to: folder.appendingPathComponent("\(stem)_atlas-\(atlas)_timeseries.tsv"))
        try Data(#"{"RepetitionTime": \#(Self.repetitionTime), "TaskName": "\#(run.task)", "Units": "BOLD signal change (model)"}"#.utf8)
            .write(to: folder.appendingPathComponent("\(stem)_atlas-\(atlas)_timeseries.json"))
        let truth = (0..<run.frames).map { t in
            network.unitNames.indices.map { String(format: "%.6f", Self.truth(unit: $0, frame: t, run: run)) }.joined(separator: "\t") + "\n"
        }.joined()
        try Data((header + truth).utf8).write(to: folder.appendingPathComponent("\(stem)_desc-truth_hyperparameters.tsv"))
    }
}
