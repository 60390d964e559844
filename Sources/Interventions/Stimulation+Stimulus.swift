import Foundation
import SpikingEngine

extension Stimulation {
    /// The engine's time course of this protocol on the step grid of `dt` (ms), for a run whose
    /// recorded span of `seconds` starts after `warmup` seconds. Throws a one-line
    /// ``InterventionError`` for a negative or zero frequency or width, a pulse wider than its
    /// period, a sine at or above the step grid's Nyquist frequency, or a window outside the span.
    public func stimulus(dt: Double, warmup: Double, seconds: Double) throws -> Stimulus {
        try checkWindow(seconds: seconds)
        let start = Int(((warmup + onset) * 1000 / dt).rounded())
        let end = Int(((warmup + (offset ?? seconds)) * 1000 / dt).rounded())
        var samples = [Double](repeating: 0, count: end)
        switch waveform {
        case let .pulses(frequency, width, amplitude):
            let (period, wide) = try pulseSteps(frequency: frequency, width: width, amplitude: amplitude, dt: dt)
            for t in start..<end where (t - start) % period < wide { samples[t] = amplitude }
        case let .sine(frequency, amplitude):
            try checkSine(frequency: frequency, amplitude: amplitude, dt: dt)
            for t in start..<end { samples[t] = amplitude * sin(2 * Double.pi * frequency * Double(t - start) * dt / 1000) }
        case let .constant(amplitude):
            try checkFinite(amplitude, "amplitude")
            for t in start..<end { samples[t] = amplitude }
        case let .series(values, interval):
            let every = try seriesSteps(values, interval: interval, dt: dt)
            for t in start..<end {
                let i = (t - start) / every
                samples[t] = i < values.count ? values[i] : 0
            }
        }
        return Stimulus(samples: samples, interval: dt)
    }

    private func checkWindow(seconds: Double) throws {
        guard onset.isFinite, onset >= 0, onset < seconds else {
            throw InterventionError.invalid("stimulation onset \(g(onset)) s: give a time from 0 to before the run's end (\(g(seconds)) s)")
        }
        if let offset {
            guard offset.isFinite, offset > onset, offset <= seconds else {
                throw InterventionError.invalid("stimulation offset \(g(offset)) s: give a time after the onset (\(g(onset)) s) and at most the run's \(g(seconds)) s")
            }
        }
    }

    private func pulseSteps(frequency: Double, width: Double, amplitude: Double, dt: Double) throws -> (period: Int, width: Int) {
        guard frequency.isFinite, frequency > 0 else {
            throw InterventionError.invalid("pulse frequency \(g(frequency)) Hz: give a positive frequency")
        }
        guard width.isFinite, width > 0 else { throw InterventionError.invalid("pulse width \(g(width)) ms: give a positive width") }
        try checkFinite(amplitude, "amplitude")
        let period = Int((1000 / frequency / dt).rounded()), wide = max(1, Int((width / dt).rounded()))
        guard period >= 2, wide < period else {
            throw InterventionError.invalid("pulses of \(g(width)) ms at \(g(frequency)) Hz do not fit: a pulse must be narrower than its period (\(g(1000 / frequency)) ms) on the \(g(dt)) ms step")
        }
        return (period, wide)
    }

    private func checkSine(frequency: Double, amplitude: Double, dt: Double) throws {
        let nyquist = 1000 / (2 * dt)
        guard frequency.isFinite, frequency > 0, frequency < nyquist else {
            throw InterventionError.invalid("sine frequency \(g(frequency)) Hz: give a positive frequency below \(g(nyquist)) Hz (half the step rate)")
        }
        try checkFinite(amplitude, "amplitude")
    }

    private func seriesSteps(_ values: [Double], interval: Double, dt: Double) throws -> Int {
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else {
            throw InterventionError.invalid("a stimulation series needs at least one finite value")
        }
        let steps = (interval / dt).rounded()
        guard interval.isFinite, steps >= 1, abs(steps * dt - interval) < 1e-9 * max(1, interval) else {
            throw InterventionError.invalid("series interval \(g(interval)) ms: give a whole number of \(g(dt)) ms steps")
        }
        return Int(steps)
    }

    private func checkFinite(_ value: Double, _ name: String) throws {
        guard value.isFinite else { throw InterventionError.invalid("stimulation \(name) \(g(value)): give a finite number") }
    }
}

/// A number as messages write it (600, not 600.0).
func g(_ x: Double) -> String { String(format: "%g", x) }
