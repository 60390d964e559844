import Foundation

/// The progress lines of a long `dtb twin run`: simulated time, share done, wall time and an
/// estimate of the time left, at most every ``interval`` seconds of wall time and at the end.
public struct RunProgress {
    /// Seconds of wall time between two lines.
    public static let interval: TimeInterval = 2

    /// The run's length in simulated seconds.
    public let seconds: Double
    /// When the simulation started.
    public let started: Date
    /// Simulated seconds at the start (a run continued from its checkpoint).
    public let from: Double
    private var lastReport: Date

    public init(seconds: Double, started: Date, from: Double = 0) {
        self.seconds = seconds; self.started = started; self.from = from
        lastReport = started
    }

    /// Told the simulated seconds so far: the line to report when one is due.
    public mutating func simulated(_ simulated: Double, now: Date = Date()) -> String? {
        let finished = simulated >= seconds
        guard finished || now.timeIntervalSince(lastReport) >= Self.interval else { return nil }
        lastReport = now
        return Self.line(simulated: simulated, of: seconds, wall: now.timeIntervalSince(started), from: from)
    }

    /// `simulated 3.0 of 10.0 s (30%), 6.2 s wall, about 14 s left`: the time left assumes the
    /// rest runs at the pace since `from`.
    public static func line(simulated: Double, of seconds: Double, wall: Double, from: Double = 0) -> String {
        let share = seconds > 0 ? simulated / seconds : 1
        var line = String(format: "simulated %.1f of %.1f s (%.0f%%), %.1f s wall", simulated, seconds, share * 100, wall)
        if share < 1, simulated > from { line += String(format: ", about %.0f s left", wall * (seconds - simulated) / (simulated - from)) }
        return line
    }
}
