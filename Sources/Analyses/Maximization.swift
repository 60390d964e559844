/// Derivative-free maximisers for the likelihoods of the distribution fits.
enum Maximization {
    /// The maximiser of a unimodal f on [low, high] by golden-section search, to `tolerance`.
    static func goldenSection(low: Double, high: Double, tolerance: Double = 1e-10, _ f: (Double) -> Double) -> Double {
        let ratio = (5.0.squareRoot() - 1) / 2
        var a = low, b = high
        var c = b - ratio * (b - a), d = a + ratio * (b - a)
        var fc = f(c), fd = f(d)
        while b - a > tolerance {
            if fc > fd { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = f(c) }
            else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = f(d) }
        }
        return (a + b) / 2
    }

    /// A local maximiser of f by the Nelder–Mead simplex from `start`, with initial steps `step`
    /// per coordinate; stops when the simplex's values differ by less than `tolerance` or after
    /// `iterations` steps.
    static func nelderMead(start: [Double], step: [Double], tolerance: Double = 1e-12, iterations: Int = 5000,
                           _ f: ([Double]) -> Double) -> [Double] {
        let n = start.count
        var simplex = [start] + (0..<n).map { i in start.enumerated().map { $0.offset == i ? $0.element + step[i] : $0.element } }
        var values = simplex.map { -f($0) }     // minimise −f
        for _ in 0..<iterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }; values = order.map { values[$0] }
            if abs(values[n] - values[0]) <= tolerance * (abs(values[0]) + 1e-300) { break }
            let centroid = (0..<n).map { i in simplex[0..<n].reduce(0) { $0 + $1[i] } / Double(n) }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1), fr = -f(reflected)
            if fr < values[0] {
                let expanded = along(-2), fe = -f(expanded)
                (simplex[n], values[n]) = fe < fr ? (expanded, fe) : (reflected, fr)
            } else if fr < values[n - 1] {
                (simplex[n], values[n]) = (reflected, fr)
            } else {
                let contracted = along(0.5), fk = -f(contracted)
                if fk < values[n] {
                    (simplex[n], values[n]) = (contracted, fk)
                } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = -f(simplex[i])
                    }
                }
            }
        }
        return simplex[values.indices.min { values[$0] < values[$1] }!]
    }
}
