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

    /// The OU innovations ξ = (I(t+1) − a·I(t) − (1 − a)μ) / (σ√(1 − a²)), recovered from the
    /// stored currents, are standard normal deviates: moments to the fourth, tail fractions, and
    /// no dependence between the two neurons that share a random word (lanes 8 apart, the cosine
    /// and sine of one Box–Muller pair) nor between steps. 4,096 neurons × 128 steps; bounds are
    /// 5 standard errors of each statistic under the normal.
    @Test func backgroundInnovationsAreStandardNormal() {
        let ou = OrnsteinUhlenbeck.dtbFast
        let n = 4096, steps = 128, dt = 1.0
        var b = NetworkBuilder(dt: dt, seed: 11)
        b.add(Population(name: "P", size: n, model: silent(.dtb2024), background: ou))
        let sim = Simulation(network: b.build(partitions: 1))
        let a = exp(-dt / ou.tau), kick = ou.sigma * (1 - a * a).squareRoot()
        var previous = (0..<n).map { sim.backgroundCurrent(of: $0) }
        var xi: [[Double]] = []
        for _ in 0..<steps {
            sim.run(steps: 1)
            let current = (0..<n).map { sim.backgroundCurrent(of: $0) }
            xi.append((0..<n).map { (current[$0] - a * previous[$0] - (1 - a) * ou.mean) / kick })
            previous = current
        }
        let all = xi.flatMap { $0 }
        let count = Double(all.count)
        func mean(_ f: (Double) -> Double) -> Double { all.reduce(0) { $0 + f($1) } / count }
        #expect(abs(mean { $0 }) < 5 * (1 / count).squareRoot())
        #expect(abs(mean { $0 * $0 } - 1) < 5 * (2 / count).squareRoot())
        #expect(abs(mean { $0 * $0 * $0 }) < 5 * (15 / count).squareRoot())
        #expect(abs(mean { pow($0, 4) } - 3) < 5 * (96 / count).squareRoot())
        for (z, p) in [(2.0, 0.045_500_26), (3.0, 0.002_699_80)] {
            let beyond = mean { abs($0) > z ? 1 : 0 }
            #expect(abs(beyond - p) < 5 * (p * (1 - p) / count).squareRoot())
        }
        // Pairs: neuron i with i + 8 in each 16-neuron group (one word), and each neuron with
        // itself one step later. For independent deviates ξξ′ has variance 1 and (ξ² − 1)(ξ′² − 1) 4.
        var pairs: [(Double, Double)] = []
        var lagged: [(Double, Double)] = []
        for t in 0..<steps {
            for i in 0..<n where i % 16 < 8 { pairs.append((xi[t][i], xi[t][i + 8])) }
            if t > 0 { for i in 0..<n { lagged.append((xi[t - 1][i], xi[t][i])) } }
        }
        for set in [pairs, lagged] {
            let m = Double(set.count)
            let product = set.reduce(0) { $0 + $1.0 * $1.1 } / m
            let squares = set.reduce(0) { $0 + ($1.0 * $1.0 - 1) * ($1.1 * $1.1 - 1) } / m
            #expect(abs(product) < 5 * (1 / m).squareRoot())
            #expect(abs(squares) < 5 * (4 / m).squareRoot())
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
