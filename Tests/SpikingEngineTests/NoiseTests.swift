import Foundation
import SpikingEngine
import Testing

@Suite("Background current, Poisson drive, external currents")
struct NoiseTests {
    /// OU background: across neurons, mean μ and variance σ² (stationary start, exact update),
    /// checked at two times far apart (sampling error: 4 standard errors).
    @Test(arguments: [0.1, 1.0])
    func ornsteinUhlenbeckIsStationary(dt: Double) {
        let ou = OrnsteinUhlenbeck.dtbSlow
        let n = 4000
        var b = NetworkBuilder(dt: dt, seed: 3)
        b.add(Population(name: "P", size: n, model: silent(.dtb2024), background: ou))
        let sim = Simulation(network: b.build(partitions: 2))
        for _ in 0..<2 {
            sim.run(duration: 100)
            let x = (0..<n).map { sim.backgroundCurrent(of: $0) }
            let mean = x.reduce(0, +) / Double(n)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            #expect(abs(mean - ou.mean) < 4 * ou.sigma / Double(n).squareRoot())
            #expect(abs(variance / (ou.sigma * ou.sigma) - 1) < 4 * (2 / Double(n)).squareRoot())
        }
    }

    /// Poisson drive into a channel: the stationary mean gating variable is
    /// λw / (1 − e^{−dt/τ}) with λ = rate·dt the expected inputs per step.
    @Test func poissonDriveHasItsRate() {
        let n = 4000
        var b = NetworkBuilder(dt: 0.1, seed: 4)
        let drive = PoissonDrive(rate: 2000, weight: 0.6, channel: 0)
        b.add(Population(name: "P", size: n, model: silent(.coba), poisson: drive))
        let sim = Simulation(network: b.build(partitions: 2))
        sim.run(duration: 100)
        let tau = NeuronModel.coba.channels[0].tau
        let a = exp(-0.1 / tau)
        let lambda = 2000 * 0.1 / 1000
        // Stored J is after this step's decay: a·λw/(1 − a).
        let expected = a * lambda * 0.6 / (1 - a)
        // Stationary variance of the shot noise: λw²a²/(1 − a²) (Poisson counts, variance λ).
        let sd = (lambda * 0.36 * a * a / (1 - a * a)).squareRoot()
        let x = (0..<n).map { sim.gating(of: $0, channel: 0) }
        let mean = x.reduce(0, +) / Double(n)
        #expect(abs(mean - expected) < 4 * sd / Double(n).squareRoot())
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        #expect(abs(variance.squareRoot() / sd - 1) < 0.1)
    }

    /// Gamma-distributed external current: the subthreshold steady state V∞ = V_L + I/g_L gives
    /// each neuron's current back; mean and CV match Gamma(shape k, rate k)·mean.
    @Test func gammaExternalCurrentHasItsMoments() {
        let n = 4000, mean = 0.2, shape = 5.0
        var b = NetworkBuilder(dt: 1, seed: 5)
        let m = silent(.dtb2024)
        b.add(Population(name: "P", size: n, model: m, external: .gamma(mean: mean, shape: shape)))
        let sim = Simulation(network: b.build(partitions: 1))
        sim.run(duration: 1000)  // 50 membrane time constants
        let i = (0..<n).map { (sim.potential(of: $0) - m.leakReversal) * m.leakConductance }
        let mu = i.reduce(0, +) / Double(n)
        let sd = (i.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(n - 1)).squareRoot()
        #expect(abs(mu - mean) < 4 * mean / shape.squareRoot() / Double(n).squareRoot())
        #expect(abs(sd / mu - 1 / shape.squareRoot()) < 0.05)
    }
}
