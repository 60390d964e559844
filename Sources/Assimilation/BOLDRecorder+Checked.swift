import Hemodynamics
import Recorders
import SpikingEngine

extension BOLDRecorder {
    /// A recorder of `network`'s BOLD at `repetitionTime`, its timing error as an ``AssimilationError``.
    static func checked(_ network: Network, _ parameters: BalloonWindkesselParameters, _ repetitionTime: Double) throws -> BOLDRecorder {
        do { return try BOLDRecorder(network: network, parameters: parameters, repetitionTime: repetitionTime) }
        catch { throw AssimilationError.invalid("TR \(repetitionTime) s: \(error)") }
    }
}
