import Hemodynamics
import Recorders
import SpikingEngine

/// A fitted twin replayed: one simulation of the network, a warm-up at the first frame's values,
/// then h(t) applied frame by frame, recording BOLD at the fit's TR (the validation run of
/// design note §4).
public struct Replay: Sendable {
    public let network: Network
    public let map: HyperparameterMap
    public var bold: BalloonWindkesselParameters = .dtb
    public var repetitionTime: Double
    public var warmupSeconds: Double

    public init(network: Network, map: HyperparameterMap, repetitionTime: Double, warmupSeconds: Double,
                bold: BalloonWindkesselParameters = .dtb) {
        self.network = network; self.map = map; self.repetitionTime = repetitionTime
        self.warmupSeconds = warmupSeconds; self.bold = bold
    }

    /// BOLD per frame (frames × units) with `h[t]` set before frame t (unit-major, per ``HyperparameterMap``).
    public func run(_ h: [[Double]], seed: UInt64) throws -> [[Double]] {
        guard let first = h.first else { return [] }
        let recorder = try BOLDRecorder.checked(network, bold, repetitionTime)
        let simulation = Simulation(network: network, seed: seed, observers: [recorder])
        map.apply(first, to: simulation)
        simulation.run(steps: Int((warmupSeconds * 1000 / network.dt).rounded()))
        let steps = Int((repetitionTime * 1000 / network.dt).rounded())
        var frames: [[Double]] = []
        for values in h {
            map.apply(values, to: simulation)
            simulation.run(steps: steps)
            frames.append(recorder.samples.last!)
        }
        return frames
    }
}
