/// An ordinary least-squares fit y ≈ Xβ by Householder QR (numerically safer than the normal
/// equations when lagged regressors are nearly collinear).
public struct LeastSquares: Sendable {
    /// β, one per column of the design.
    public let coefficients: [Double]
    /// y − Xβ, one per row.
    public let residuals: [Double]
    /// The residual sum of squares.
    public var residualSumOfSquares: Double { residuals.reduce(0) { $0 + $1 * $1 } }

    /// Nil unless there are more rows than columns and the design has full column rank.
    ///
    /// - Parameters: `design` rows × columns (every row equally long), `target` one per row.
    public init?(design: [[Double]], target: [Double]) {
        let rows = design.count, columns = design.first?.count ?? 0
        guard rows == target.count, columns >= 1, rows > columns, design.allSatisfy({ $0.count == columns }) else { return nil }
        // Column-major copy, reduced in place to R (upper triangle) while y becomes Qᵀy.
        var a = (0..<columns).map { c in design.map { $0[c] } }
        var y = target
        let scale = a.map { column in column.reduce(0) { max($0, abs($1)) } }.max() ?? 0
        for k in 0..<columns {
            let norm = (k..<rows).reduce(0.0) { $0 + a[k][$1] * a[k][$1] }.squareRoot()
            guard norm > 1e-12 * max(scale, 1) else { return nil }
            let alpha = a[k][k] > 0 ? -norm : norm
            var v = (k..<rows).map { a[k][$0] }
            v[0] -= alpha
            let vv = v.reduce(0) { $0 + $1 * $1 }
            for c in k..<columns { Self.reflect(&a[c], v, vv, from: k) }
            Self.reflect(&y, v, vv, from: k)
        }
        var beta = [Double](repeating: 0, count: columns)
        for k in stride(from: columns - 1, through: 0, by: -1) {
            var s = y[k]
            for c in (k + 1)..<columns { s -= a[c][k] * beta[c] }
            beta[k] = s / a[k][k]
        }
        coefficients = beta
        residuals = (0..<rows).map { r in target[r] - zip(design[r], beta).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    /// x ← (I − 2vvᵀ/vᵀv)x on the rows from `start` on.
    private static func reflect(_ x: inout [Double], _ v: [Double], _ vv: Double, from start: Int) {
        guard vv > 0 else { return }
        var dot = 0.0
        for i in v.indices { dot += v[i] * x[start + i] }
        let f = 2 * dot / vv
        for i in v.indices { x[start + i] -= f * v[i] }
    }
}
