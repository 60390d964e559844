import Foundation
import HDF5Kit
import Hemodynamics
import Recorders
import SpikingEngine
import Store

/// A twin run's state between two windows: the engine's and every recorder's. A long run writes
/// one every so often (`--checkpoint-every`) to `<home>/checkpoints/run-<digest>.h5`; the same
/// command after a kill finds it and continues where the run stopped, recording exactly what an
/// uninterrupted run does (the engine's random numbers are counter-based: the step is the state).
///
/// Layout: `/engine/*` (the engine's state arrays), `/bold/samples` (samples × units),
/// `/activity/counts|current`, `/population_activity/counts|current`, `/raster/neuron|time_ms`;
/// root attributes `digest` (the run it belongs to) and `state` (JSON: the engine's scalars, the
/// hemodynamic state, the bins' steps so far).
public struct RunCheckpoint: Sendable {
    public var engine: SimulationSnapshot
    public var bold: BOLDRecorder.State
    public var activity: BinnedUnitCounts.State?
    public var populationActivity: BinnedUnitCounts.State?
    public var raster: [RasterSpike]

    /// Biological seconds simulated when the checkpoint was taken.
    public func seconds(dt: Double) -> Double { Double(engine.step) * dt / 1000 }

    /// The small parts, kept as one JSON attribute.
    struct State: Codable {
        var engine: SnapshotDatasets.Scalars
        var sampler: BOLDSamplerState
        var activityStepsInBin: Int?
        var populationActivityStepsInBin: Int?
    }
}

extension RunCheckpoint {
    /// Writes the checkpoint to `url` through a temporary file renamed into place, so a kill
    /// leaves either the previous checkpoint or this one, never half of one.
    func write(to url: URL, digest: String, units: Int) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ReplacedFile.write(url, what: "the run's checkpoint") { try write(into: $0, digest: digest, units: units) }
    }

    private func write(into path: URL, digest: String, units: Int) throws {
        let file = try HDF5File.create(path: path.path, trackTimes: false)
        defer { file.close() }
        let scalars = try SnapshotDatasets.write(engine, under: "/engine", to: file)
        try file.write("/bold/samples", bold.samples.flatMap { $0 }, shape: [bold.samples.count, units])
        for (group, counts) in [("/activity", activity), ("/population_activity", populationActivity)] {
            guard let counts else { continue }
            try file.write("\(group)/counts", counts.counts, shape: [counts.counts.count])
            try file.write("\(group)/current", counts.current, shape: [counts.current.count])
        }
        try file.write("/raster/neuron", raster.map { Int64($0.neuron) }, shape: [raster.count])
        try file.write("/raster/time_ms", raster.map(\.time), shape: [raster.count])
        let state = State(engine: scalars, sampler: bold.sampler,
                          activityStepsInBin: activity?.stepsInBin, populationActivityStepsInBin: populationActivity?.stepsInBin)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try file.setAttribute("state", String(decoding: try encoder.encode(state), as: UTF8.self))
        try file.setAttribute("digest", digest)
    }

    /// The checkpoint at `url` when it belongs to the run with `digest`; nil when there is none or
    /// it is another run's. A damaged file is a one-line error naming it.
    static func read(_ url: URL, digest: String) throws -> RunCheckpoint? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let file = try HDF5File.open(path: url.path)
            defer { file.close() }
            guard try file.stringAttribute("digest") == digest else { return nil }
            let state = try JSONDecoder().decode(State.self, from: Data(try file.stringAttribute("state").utf8))
            let samples = try file.dataset("/bold/samples")
            let flat = try samples.read(Double.self), width = samples.shape.count == 2 ? samples.shape[1] : 0
            func counts(_ group: String, _ steps: Int?) throws -> BinnedUnitCounts.State? {
                guard let steps else { return nil }
                return BinnedUnitCounts.State(counts: try file.dataset("\(group)/counts").read(UInt32.self),
                                              current: try file.dataset("\(group)/current").read(UInt32.self), stepsInBin: steps)
            }
            let neurons = try file.dataset("/raster/neuron").read(Int64.self), times = try file.dataset("/raster/time_ms").read(Double.self)
            return RunCheckpoint(
                engine: try SnapshotDatasets.read(under: "/engine", from: file, scalars: state.engine),
                bold: BOLDRecorder.State(samples: width == 0 ? [] : stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) },
                                         sampler: state.sampler),
                activity: try counts("/activity", state.activityStepsInBin),
                populationActivity: try counts("/population_activity", state.populationActivityStepsInBin),
                raster: zip(neurons, times).map { RasterSpike(neuron: Int($0), time: $1) })
        } catch {
            throw TwinError.file("\(url.path): the run's checkpoint cannot be read (\(error)); remove it to start the run again")
        }
    }
}
