import Foundation
import Hemodynamics
import Recorders
import SpikingEngine
import Testing
import Workloads

@Suite("Unit activity and BOLD")
struct BOLDTests {
    /// Unit activity is the fraction of a unit's neurons spiking per step, and the BOLD series is
    /// the Balloon–Windkessel model driven by it (per ms, floored at 1e-5), sampled every TR.
    @Test func boldFollowsUnitActivity() throws {
        let b = Workloads.dtbLaminar(neurons: 4000, units: 2, seed: 10)
        let tr = 0.5
        let network = b.build(partitions: 2)
        let activity = UnitActivity(network: network)
        let bold = try BOLDRecorder(network: network, parameters: .dtb, repetitionTime: tr)
        let sim = Simulation(network: network, observers: [activity, bold])
        sim.run(duration: 2000)
        #expect(activity.steps.count == 2000)
        #expect(bold.samples.count == 4)
        var reference = try BOLDSampler(model: BalloonWindkessel(units: 2, parameters: .dtb, integrator: .rk4,
                                                                 initialState: .rest),
                                        inputStep: 0.001, repetitionTime: tr)
        var samples: [[Double]] = []
        for a in activity.steps where reference.step(input: a.map { max($0, 1e-5) }) {
            samples.append(reference.model.bold)
        }
        #expect(samples == bold.samples)
        #expect(activity.steps.joined().contains { $0 > 0 })
    }
}
