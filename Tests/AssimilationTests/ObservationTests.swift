import Assimilation
import Hemodynamics
import SpikingEngine
import Testing

@Suite("Observation presets and band calibration")
struct ObservationTests {
    /// raw keeps the kept frames; zscore-band z-scores each unit and maps the whole run's range onto the band.
    @Test func presetsGiveTheKnownTargets() throws {
        let series: [[Double]] = [[100, 5], [1, 2], [3, 4], [5, 6]]
        #expect(try Observation(preset: .raw, droppedFrames: 1).prepare(series) == [[1, 2], [3, 4], [5, 6]])
        let band = try Observation(preset: .zscoreBand, droppedFrames: 1, band: 0.02 ... 0.05).prepare(series)
        // Both units are 1 s.d. below, at and above their mean: z = −1, 0, 1 → the band's ends and middle.
        for (frame, expected) in zip(band, [0.02, 0.035, 0.05]) {
            for value in frame { #expect(abs(value - expected) < 1e-12) }
        }
        #expect(throws: AssimilationError.self) { try Observation(preset: .zscoreBand, band: nil) }
        #expect(throws: AssimilationError.self) { try Observation(preset: .raw, droppedFrames: 4).prepare(series) }
        #expect(throws: AssimilationError.self) { try Observation(preset: .raw).prepare([[1, .nan]]) }
    }

    /// More external current, more BOLD: the band lies inside what the two bounds give.
    @Test func theBandLiesBetweenTheBoundsBOLD() throws {
        let (network, flags) = RecoveryTests.network()
        let map = try HyperparameterMap(populations: UnitPopulations(network: network, excitatory: flags), kinds: [.externalCurrent])
        let h = [Hyperparameter(kind: .externalCurrent, bounds: try BoundedParameter(lower: 0.02, upper: 0.4))]
        let c = try BandCalibration(network: network, map: map, hyperparameters: h, repetitionTime: 1, warmupSeconds: 3,
                                    measuredSeconds: 4, seed: 3)
        let band = try #require(c.band)
        #expect(c.atUpper > c.atLower && c.rateAtUpper > c.rateAtLower)
        #expect(band.lowerBound > c.atLower && band.upperBound < c.atUpper)
    }
}
