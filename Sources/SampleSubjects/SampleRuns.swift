import Assimilation
import Foundation
import SpikingEngine
import TwinBuilder

/// The sample subject's BOLD runs, made by a ground-truth twin: the subject's own built twin run
/// with known, time-varying external currents h_u(t) (an identical-twin experiment — the fit
/// shares the network, not the noise). Written as BIDS region time series derivatives (pipeline
/// `dtb-truth`), with the truth beside them, so that an assimilation's recovery can be checked.
public struct SampleRuns: Sendable {
    /// One run: its session, task, frames, the seed of its noise, and for a task its events and
    /// the units they drive.
    public struct Run: Sendable, Hashable {
        public var session: String
        public var task: String
        public var frames: Int
        public var seed: UInt64
        public var events: [Event]
        /// Region names whose external current the events raise.
        public var inputUnits: [String]

        public init(session: String, task: String, frames: Int, seed: UInt64, events: [Event] = [], inputUnits: [String] = []) {
            self.session = session; self.task = task; self.frames = frames; self.seed = seed
            self.events = events; self.inputUnits = inputUnits
        }
    }

    /// A task event: onset and duration in seconds from the first frame, and its trial type.
    public struct Event: Sendable, Hashable {
        public var onset: Double
        public var duration: Double
        public var trialType: String

        public init(onset: Double, duration: Double, trialType: String) {
            self.onset = onset; self.duration = duration; self.trialType = trialType
        }
    }

    public static let repetitionTime = 2.0
    /// Biological seconds run before the first frame (the start-up transient lasts ~5 s).
    public static let warmupSeconds = 10.0
    /// Primary auditory cortex (Brainnetome A41/42 and TE1.0/1.2, both hemispheres): the input units of the task run.
    public static let auditoryInputs = ["A41/42_L", "A41/42_R", "TE1.0/TE1.2_L", "TE1.0/TE1.2_R"]
    /// Session 1: a rest run and an auditory block-design run (three 10 s tone blocks).
    public static let sessionOne = [
        Run(session: "1", task: "rest", frames: 30, seed: 101),
        Run(session: "1", task: "auditory", frames: 30, seed: 303,
            events: [10.0, 30, 50].map { Event(onset: $0, duration: 10, trialType: "tone") }, inputUnits: auditoryInputs),
    ]
    public static let sessionTwo = [Run(session: "2", task: "rest", frames: 30, seed: 202)]

    /// h_u(t) of a run: a level per unit in [0.035, 0.07] and a slow oscillation of ±0.015
    /// (period 25 frames, 0.02 Hz at TR 2 s, where resting BOLD has its power) with a phase per
    /// unit and run — inside the default bounds [0.02, 0.12], where the twin fires 7–36 Hz.
    public static func truth(unit u: Int, frame t: Int, run: Run) -> Double {
        let level = 0.035 + 0.035 * Double((u * 37) % 101) / 100
        let phase = Double((u * 53 + Int(run.seed)) % 97) / 97 * 2 * Double.pi
        return level + 0.015 * sin(2 * Double.pi * Double(t) / 25 + phase)
    }

    /// The extra external current an event adds to an input unit's E populations.
    public static let eventDrive = 0.03

    /// h_u(t) of a run with its task: ``truth(unit:frame:run:)`` plus ``eventDrive`` on an input
    /// unit while an event covers the frame's start.
    public func truth(unit u: Int, frame t: Int, run: Run) -> Double {
        let time = Double(t) * Self.repetitionTime
        let driven = run.inputUnits.contains(network.unitNames[u])
            && run.events.contains { time >= $0.onset && time < $0.onset + $0.duration }
        return Self.truth(unit: u, frame: t, run: run) + (driven ? Self.eventDrive : 0)
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
        return try replay.run((0..<run.frames).map { t in (0..<units).map { truth(unit: $0, frame: t, run: run) } }, seed: run.seed)
    }

    /// Each run's BOLD, in order, simulated up to `concurrently` runs at a time, each on one
    /// thread. A ground-truth run's window is a single step, too short for a second thread to
    /// pay (the sample twin runs slower on two than on one), so separate runs are what fills the
    /// cores; a run's BOLD does not depend on its threads.
    public func simulate(_ runs: [Run], concurrently: Int) throws -> [[[Double]]] {
        let results = RunResults(count: runs.count)
        let slots = DispatchSemaphore(value: max(1, concurrently))
        DispatchQueue.concurrentPerform(iterations: runs.count) { i in
            slots.wait()
            defer { slots.signal() }
            results.set(i, Result { try simulate(runs[i], threads: 1) })
        }
        return try results.values()
    }

    /// Where ``write(_:subject:atlas:into:threads:)`` puts a run's files in the dataset at `root`.
    public static func folder(of run: Run, subject: String, in root: URL) -> URL {
        root.appendingPathComponent("derivatives/dtb-truth/sub-\(subject)/ses-\(run.session)/func", isDirectory: true)
    }

    /// The run's region time series (written last: when it is there, the run is complete).
    public static func seriesFile(of run: Run, subject: String, atlas: String, in root: URL) -> URL {
        folder(of: run, subject: subject, in: root).appendingPathComponent("\(stem(run, subject))_atlas-\(atlas)_timeseries.tsv")
    }

    static func stem(_ run: Run, _ subject: String) -> String { "sub-\(subject)_ses-\(run.session)_task-\(run.task)" }

    /// Simulates the run and writes `derivatives/dtb-truth/sub-<label>/ses-<s>/func/..._atlas-<atlas>_timeseries.tsv`
    /// (+ `.json` with RepetitionTime), a task's `..._events.tsv`, and `..._desc-truth_hyperparameters.tsv`
    /// (h per frame and unit).
    public func write(_ run: Run, subject: String, atlas: String, into root: URL, threads: Int) throws {
        try write(run, bold: try simulate(run, threads: threads), subject: subject, atlas: atlas, into: root)
    }

    /// Writes the files of ``write(_:subject:atlas:into:threads:)`` for a run simulated before.
    public func write(_ run: Run, bold: [[Double]], subject: String, atlas: String, into root: URL) throws {
        let folder = Self.folder(of: run, subject: subject, in: root)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let description = root.appendingPathComponent("derivatives/dtb-truth/dataset_description.json")
        try Data(#"{"Name": "dtb ground-truth twin runs", "BIDSVersion": "1.9.0", "DatasetType": "derivative", "GeneratedBy": [{"Name": "dtb-truth", "Version": "1"}]}"#.utf8)
            .write(to: description)
        let stem = Self.stem(run, subject)
        let header = network.unitNames.joined(separator: "\t") + "\n"
        let hyperparameters = (0..<run.frames).map { t in
            network.unitNames.indices.map { String(format: "%.6f", self.truth(unit: $0, frame: t, run: run)) }.joined(separator: "\t") + "\n"
        }.joined()
        try Data((header + hyperparameters).utf8).write(to: folder.appendingPathComponent("\(stem)_desc-truth_hyperparameters.tsv"))
        if !run.events.isEmpty {
            let events = run.events.map { "\($0.onset)\t\($0.duration)\t\($0.trialType)\n" }.joined()
            try Data(("onset\tduration\ttrial_type\n" + events).utf8).write(to: folder.appendingPathComponent("\(stem)_events.tsv"))
        }
        try Data(#"{"RepetitionTime": \#(Self.repetitionTime), "TaskName": "\#(run.task)", "Units": "BOLD signal change (model)"}"#.utf8)
            .write(to: folder.appendingPathComponent("\(stem)_atlas-\(atlas)_timeseries.json"))
        let rows = bold.map { $0.map { String(format: "%.9g", $0) }.joined(separator: "\t") + "\n" }.joined()
        try Data((header + rows).utf8).write(to: Self.seriesFile(of: run, subject: subject, atlas: atlas, in: root), options: .atomic)
    }
}

/// The outcomes of runs simulated on several threads, each written once by its own thread.
private final class RunResults: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [Result<[[Double]], any Error>?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ outcome: Result<[[Double]], any Error>) { lock.withLock { outcomes[i] = outcome } }

    /// Every run's BOLD, or the first run's error in order.
    func values() throws -> [[[Double]]] {
        try lock.withLock { outcomes }.map { try $0!.get() }
    }
}
