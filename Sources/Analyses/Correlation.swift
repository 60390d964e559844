// Analyses — measures of simulated and empirical activity (pure compute): correlations, functional
// connectivity and its dynamics, the validation metrics of design note §5.

/// Pearson's r of two equally long series; nil when either is constant or they are shorter than 2.
public func pearson(_ x: some Collection<Double>, _ y: some Collection<Double>) -> Double? {
    guard x.count == y.count, x.count >= 2 else { return nil }
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(x, y) {
        sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}

/// Per-unit correlation of a simulated with an observed series (frames × units), after dropping
/// the first `transient` frames, with the simulation shifted later by the lag (0…`maxLag` frames)
/// that gives the highest mean r over units: the hemodynamic delay is not known in advance.
public struct LaggedCorrelation: Sendable, Codable, Equatable {
    /// The chosen lag (frames) and each unit's r at it (nil for a constant unit).
    public var lag: Int
    public var perUnit: [Double?]

    /// Mean r over the units that have one.
    public var mean: Double? {
        let values = perUnit.compactMap { $0 }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// - Parameters: `simulated` and `observed` frames × units, equally many of each.
    public init?(simulated: [[Double]], observed: [[Double]], transient: Int, maxLag: Int) {
        guard simulated.count == observed.count, let units = observed.first?.count, transient >= 0, maxLag >= 0,
              observed.count - transient - maxLag >= 3 else { return nil }
        var best: (lag: Int, r: [Double?], mean: Double)?
        for lag in 0...maxLag {
            let frames = (transient + lag)..<observed.count
            let r = (0..<units).map { u in
                pearson(frames.map { simulated[$0 - lag][u] }, frames.map { observed[$0][u] })
            }
            let known = r.compactMap { $0 }
            let mean = known.isEmpty ? -.infinity : known.reduce(0, +) / Double(known.count)
            if best == nil || mean > best!.mean { best = (lag, r, mean) }
        }
        lag = best!.lag
        perUnit = best!.r
    }
}
