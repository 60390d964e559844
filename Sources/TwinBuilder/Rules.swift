/// The scaling rules of design note §2, each a pure function.
public enum TwinRules {
    // MARK: Rule 1 — neurons per unit and population

    /// Rounds non-negative `quotas` to integers of at least `minimum` each that sum to exactly
    /// `total`: each takes max(minimum, ⌊q⌋), then the rest go one each to the largest fractional
    /// parts (ties to the lower index) among those not raised to the minimum. Nil when the minima
    /// alone exceed `total`.
    public static func largestRemainder(_ quotas: [Double], total: Int, minimum: Int = 0) -> [Int]? {
        var counts = quotas.map { max(minimum, Int($0.rounded(.down))) }
        let assigned = counts.reduce(0, +)
        guard assigned <= total else { return nil }
        var left = total - assigned
        let eligible = quotas.indices.filter { Double(counts[$0]) <= quotas[$0] }
        let order = eligible.sorted {
            let a = quotas[$0] - quotas[$0].rounded(.down), b = quotas[$1] - quotas[$1].rounded(.down)
            return a != b ? a > b : $0 < $1
        }
        var k = 0
        while left > 0 {
            // Only reached past the eligible list when the quotas do not sum to `total`.
            counts[order.isEmpty ? 0 : order[k % order.count]] += 1
            left -= 1; k += 1
        }
        return counts
    }

    /// N_{v,p} ∝ gm_v/Σgm · share_{v,p}, at least one per population, exactly `total` in all.
    /// `shares[v]` are unit v's population shares (normalised here).
    public static func neuronCounts(grayMatter: [Double], shares: [[Double]], total: Int) throws -> [[Int]] {
        let gmTotal = grayMatter.reduce(0, +)
        var quotas: [Double] = []
        for (gm, s) in zip(grayMatter, shares) {
            let sum = s.reduce(0, +)
            quotas += s.map { Double(total) * gm / gmTotal * $0 / sum }
        }
        guard let flat = largestRemainder(quotas, total: total, minimum: 1) else {
            throw TwinBuildError.tooFewNeurons(requested: total, needed: quotas.reduce(0) { $0 + max(1, Int($1)) },
                                               units: grayMatter.count, populations: quotas.count)
        }
        var out: [[Int]] = [], at = 0
        for s in shares { out.append(Array(flat[at ..< at + s.count])); at += s.count }
        return out
    }

    // MARK: Rule 2 — in-degrees

    /// All inputs of population p (local row plus long-range), relative.
    static func rowSums(_ t: ColumnTemplate) -> [Double] {
        zip(t.local, t.longRange).map { $0.reduce(0, +) + $1 }
    }

    /// degree_scale_p = (rowsum_p·share_p / Σ_q rowsum_q·share_q) / share_p: the relative in-degree
    /// of each population, with neuron-weighted mean 1.
    public static func degreeScales(_ t: ColumnTemplate) -> [Double] {
        let rows = rowSums(t), shares = t.normalisedShares
        let mean = zip(rows, shares).reduce(0) { $0 + $1.0 * $1.1 }
        return rows.map { $0 / mean }
    }

    /// The long-range fraction of each population's inputs (the table's last column over its row).
    public static func longRangeShares(_ t: ColumnTemplate) -> [Double] {
        zip(t.longRange, rowSums(t)).map { $1 > 0 ? $0 / $1 : 0 }
    }

    /// s_v = density_v / mean density over the `reference` (V1) units, clipped to `clip` when given.
    public static func sv2aScales(densities: [Double], reference: [Int], clip: ClosedRange<Double>?) -> [Double] {
        let mean = reference.reduce(0) { $0 + densities[$1] } / Double(reference.count)
        return densities.map { d in
            let s = d / mean
            guard let c = clip else { return s }
            return min(max(s, c.lowerBound), c.upperBound)
        }
    }

    /// K_{v,p} = round(K · s_v · degree_scale_p); `degreeScales[v]` are unit v's population scales.
    public static func inDegrees(meanInDegree k: Double, unitScales s: [Double], degreeScales: [[Double]]) -> [[Int]] {
        zip(s, degreeScales).map { sv, scales in scales.map { Int((k * sv * $0).rounded()) } }
    }

    // MARK: Rule 3 — long-range targets

    /// P_vu: the tract density with its diagonal zeroed, each row normalised to 1 (a row without
    /// tracts stays zero: that unit takes no long-range input).
    public static func tractProbabilities(_ density: [[Double]]) -> [[Double]] {
        density.enumerated().map { v, row in
            let r = row.enumerated().map { $0.offset == v ? 0 : $0.element }
            let sum = r.reduce(0, +)
            return r.map { sum > 0 ? $0 / sum : 0 }
        }
    }

    /// Equal tract density between every pair of distinct units (the `uniform` fallback).
    public static func uniformTracts(units: Int) -> [[Double]] {
        (0..<units).map { v in (0..<units).map { $0 == v ? 0 : 1 } }
    }

    // MARK: Rule 4 — delays

    /// Euclidean distances (mm) between unit centroids.
    public static func centroidDistances(_ centroids: [[Double]]) -> [[Double]] {
        centroids.map { a in
            centroids.map { b in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        }
    }

    /// The mean centroid of each group's units.
    public static func groupCentroids(_ centroids: [[Double]], groups: [Int], count: Int) -> [[Double]] {
        let dims = centroids.first?.count ?? 0
        var sums = [[Double]](repeating: [Double](repeating: 0, count: dims), count: count)
        var members = [Int](repeating: 0, count: count)
        for (c, g) in zip(centroids, groups) {
            for d in 0..<dims { sums[g][d] += c[d] }
            members[g] += 1
        }
        return zip(sums, members).map { sum, m in sum.map { $0 / Double(max(1, m)) } }
    }

    /// Delay in whole steps: round(length (mm) / speed (m/s = mm/ms) / dt (ms)), at least 1.
    public static func delaySteps(lengths: [[Double]], speed: Double, dt: Double) -> [[Int]] {
        lengths.map { row in row.map { max(1, Int(($0 / speed / dt).rounded())) } }
    }
}
