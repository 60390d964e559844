import Assimilation
import Foundation
import HDF5Kit
import Hemodynamics
import SpikingEngine

/// The HDF5 layouts of an assimilation: the checkpoint (also the posterior of a finished fit)
/// and the fitted hyperparameter series.
///
/// Checkpoint: `/theta` (members × fitted units × hyperparameters), `/frames/mean|spread|forecast|analysis`
/// (the frames analysed so far), per member `/members/<m>/` the engine state arrays and a `state`
/// attribute (JSON: counters, populations, the member's Balloon–Windkessel state); root
/// attributes `frame`, `settings_digest`. A rank's file of a checkpoint shared over ranks has the
/// same layout with its own members only (``CheckpointSet``).
enum AssimilationFiles {
    /// What a checkpoint file holds.
    struct Checkpoint {
        var filter: FilterCheckpoint
        var frames: [AssimilationFrame]
        var settingsDigest: String
    }

    /// The scalar parts of a member's snapshot and its BOLD state (the arrays are datasets), as one
    /// flat JSON object: the snapshot's scalars beside `bold`.
    struct MemberState: Codable {
        var scalars: SnapshotDatasets.Scalars
        var bold: BOLDSamplerState

        init(scalars: SnapshotDatasets.Scalars, bold: BOLDSamplerState) { self.scalars = scalars; self.bold = bold }

        private enum Key: CodingKey { case bold }

        init(from decoder: any Decoder) throws {
            scalars = try SnapshotDatasets.Scalars(from: decoder)
            bold = try decoder.container(keyedBy: Key.self).decode(BOLDSamplerState.self, forKey: .bold)
        }

        func encode(to encoder: any Encoder) throws {
            try scalars.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(bold, forKey: .bold)
        }
    }

    /// Writes the checkpoint to `url` through a temporary file renamed into place, so a kill
    /// leaves either the previous checkpoint or this one, never half of one.
    static func writeCheckpoint(_ c: Checkpoint, to url: URL) throws {
        try ReplacedFile.write(url, what: "the checkpoint") { try write(c, to: $0) }
    }

    static func write(_ c: Checkpoint, to url: URL) throws {
        let file = try HDF5File.create(path: url.path, trackTimes: false)
        defer { file.close() }
        try writeHeader(frame: c.filter.frame, digest: c.settingsDigest, theta: c.filter.theta, frames: c.frames, into: file)
        for (i, m) in c.filter.memberRange.enumerated() {
            try writeMember(m, c.filter.members[i], bold: c.filter.bold[i], into: file)
        }
    }

    /// The parts every process holds: the frame, the settings digest, θ and the frames so far.
    static func writeHeader(frame: Int, digest: String, theta: [Double], frames: [AssimilationFrame], into file: HDF5File) throws {
        try file.setAttribute("frame", Int64(frame))
        try file.setAttribute("settings_digest", digest)
        try file.write("/theta", theta, shape: [theta.count])
        try writeFrames(frames, into: file)
    }

    /// Member m's engine state and BOLD state as `/members/<m>/`.
    static func writeMember(_ m: Int, _ s: SimulationSnapshot, bold: BOLDSamplerState, into file: HDF5File) throws {
        let g = "/members/\(m)"
        let state = MemberState(scalars: try SnapshotDatasets.write(s, under: g, to: file), bold: bold)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]   // stable bytes for the same state
        try file.setAttribute("state", String(decoding: try encoder.encode(state), as: UTF8.self), on: g)
    }

    static func writeFrames(_ frames: [AssimilationFrame], into file: HDF5File) throws {
        let width = frames.first?.mean.count ?? 0, units = frames.first?.forecast.count ?? 0
        try file.write("/frames/mean", frames.flatMap(\.mean), shape: [frames.count, width])
        try file.write("/frames/spread", frames.flatMap(\.spread), shape: [frames.count, width])
        try file.write("/frames/forecast", frames.flatMap(\.forecast), shape: [frames.count, units])
        try file.write("/frames/analysis", frames.flatMap(\.analysis), shape: [frames.count, units])
    }

    /// The checkpoint in `url`, with the engine states of `members` only (nil: every member the
    /// file holds, from 0 on).
    static func readCheckpoint(_ url: URL, members: Range<Int>? = nil) throws -> Checkpoint {
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        let (frame, digest, theta, frames) = try readHeader(file)
        var snapshots: [SimulationSnapshot] = [], bold: [BOLDSamplerState] = []
        var m = members?.lowerBound ?? 0
        while members.map({ $0.contains(m) }) ?? file.exists("/members/\(m)") {
            let (snapshot, state) = try readMember(m, from: file)
            snapshots.append(snapshot)
            bold.append(state)
            m += 1
        }
        return Checkpoint(filter: FilterCheckpoint(frame: frame, theta: theta, firstMember: members?.lowerBound ?? 0, members: snapshots,
                                                   bold: bold),
                          frames: frames, settingsDigest: digest)
    }

    /// What ``writeHeader(frame:digest:theta:frames:into:)`` wrote.
    static func readHeader(_ file: HDF5File) throws -> (frame: Int, digest: String, theta: [Double], frames: [AssimilationFrame]) {
        (Int(try file.intAttribute("frame")), try file.stringAttribute("settings_digest"), try file.dataset("/theta").read(Double.self),
         try readFrames(file))
    }

    /// Member m's engine state and BOLD state; one line naming the file when it has no member m.
    static func readMember(_ m: Int, from file: HDF5File) throws -> (SimulationSnapshot, BOLDSamplerState) {
        let g = "/members/\(m)"
        guard file.exists(g) else { throw TwinError.file("\(file.path): holds no member \(m)") }
        let state = try JSONDecoder().decode(MemberState.self, from: Data(try file.stringAttribute("state", on: g).utf8))
        let snapshot = try SnapshotDatasets.read(under: g, from: file, scalars: state.scalars)
        return (snapshot, state.bold)
    }

    static func readFrames(_ file: HDF5File) throws -> [AssimilationFrame] {
        let mean = try file.dataset("/frames/mean"), spread = try file.dataset("/frames/spread").read(Double.self)
        let forecast = try file.dataset("/frames/forecast")
        let count = mean.shape[0], width = mean.shape[1], units = forecast.shape[1]
        let m = try mean.read(Double.self), f = try forecast.read(Double.self)
        // Fits stored before tracking r was kept have no analysed BOLD: their frames read without it.
        let analysis = file.exists("/frames/analysis") ? try file.dataset("/frames/analysis").read(Double.self) : []
        guard m.count == count * width, spread.count == m.count, f.count == count * units, analysis.isEmpty || analysis.count == f.count else {
            throw TwinError.file("\(file.path): its frame datasets disagree in shape")
        }
        return (0..<count).map { t in
            AssimilationFrame(mean: Array(m[(t * width)..<((t + 1) * width)]), spread: Array(spread[(t * width)..<((t + 1) * width)]),
                              forecast: Array(f[(t * units)..<((t + 1) * units)]),
                              analysis: analysis.isEmpty ? [] : Array(analysis[(t * units)..<((t + 1) * units)]))
        }
    }

    /// Only θ of a posterior (a warm start needs no engine state).
    static func readTheta(_ url: URL) throws -> [Double] {
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        return try file.dataset("/theta").read(Double.self)
    }

    /// The fitted series: `/frames/mean|spread|forecast`, `/observed` (the targets), `/units`
    /// (fitted unit names), `/kinds`; attributes `repetition_time`, `members`.
    static func writeHyperparameters(frames: [AssimilationFrame], observed: [[Double]], units: [String], kinds: [String],
                                     repetitionTime: Double, members: Int, to url: URL) throws {
        let file = try HDF5File.create(path: url.path, trackTimes: false)
        defer { file.close() }
        try writeFrames(frames, into: file)
        try file.write("/observed", observed.flatMap { $0 }, shape: [observed.count, observed.first?.count ?? 0])
        try file.writeStrings("/units", units)
        try file.writeStrings("/kinds", kinds)
        try file.setAttribute("repetition_time", repetitionTime)
        try file.setAttribute("members", Int64(members))
    }

    /// The fitted series with its names and TR (for the dashboard's h(t)).
    static func readHyperparameterSeries(_ url: URL)
        throws -> (mean: [[Double]], spread: [[Double]], units: [String], kinds: [String], repetitionTime: Double) {
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        let frames = try readFrames(file)
        return (frames.map(\.mean), frames.map(\.spread), try file.readStrings("/units"), try file.readStrings("/kinds"),
                try file.doubleAttribute("repetition_time"))
    }

    /// The fitted frames back (for a validation's replay).
    static func readHyperparameters(_ url: URL) throws -> [AssimilationFrame] {
        let file = try HDF5File.open(path: url.path)
        defer { file.close() }
        return try readFrames(file)
    }
}
