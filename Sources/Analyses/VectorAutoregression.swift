import Foundation

/// Vector autoregressive models x_t = c + Σ_{l=1…p} A_l x_{t−l} + ε_t fitted by least squares, and
/// the choice of the order p by the Bayesian information criterion.
public enum VectorAutoregression {
    /// The design of a VAR(p) over the frames `start ..< frames.count`: per row a 1 (the intercept),
    /// then every included unit's values at lags 1 … p (unit-major: unit u's lags side by side).
    static func design(_ frames: [[Double]], order: Int, start: Int, units: [Int]) -> [[Double]] {
        (start..<frames.count).map { t in
            [1.0] + units.flatMap { u in (1...order).map { frames[t - $0][u] } }
        }
    }

    /// BIC of the VAR(p) for p = 1 … `maxOrder`, every order fitted on the same frames
    /// (`maxOrder` ..< end) so that the criteria compare: ln det Σ̂ + ln(T)/T · (n²p + n), with Σ̂
    /// the residual covariance (divided by T) and T the frames fitted. Nil entries mark orders whose
    /// fit is singular; nil overall without enough frames (more than n·maxOrder + 1 needed).
    public static func informationCriteria(_ frames: [[Double]], maxOrder: Int) -> [Double?]? {
        let n = frames.first?.count ?? 0
        guard n >= 1, maxOrder >= 1, frames.allSatisfy({ $0.count == n }),
              frames.count - maxOrder > n * maxOrder + 1 else { return nil }
        let fitted = Double(frames.count - maxOrder)
        return (1...maxOrder).map { p -> Double? in
            let x = design(frames, order: p, start: maxOrder, units: Array(0..<n))
            var residuals: [[Double]] = []
            for u in 0..<n {
                guard let fit = LeastSquares(design: x, target: frames[maxOrder...].map { $0[u] }) else { return nil }
                residuals.append(fit.residuals)
            }
            let covariance = (0..<n).map { i in (0..<n).map { j in
                zip(residuals[i], residuals[j]).reduce(0) { $0 + $1.0 * $1.1 } / fitted
            } }
            guard let logDet = logDeterminant(covariance) else { return nil }
            return logDet + log(fitted) / fitted * Double(n * n * p + n)
        }
    }

    /// The order with the smallest BIC (1 … `maxOrder`); nil as ``informationCriteria(_:maxOrder:)``.
    public static func bestOrder(_ frames: [[Double]], maxOrder: Int) -> Int? {
        guard let bic = informationCriteria(frames, maxOrder: maxOrder) else { return nil }
        let known = bic.enumerated().compactMap { entry in entry.element.map { (entry.offset + 1, $0) } }
        return known.min { $0.1 < $1.1 }?.0
    }

    /// ln det of a symmetric positive-definite matrix by Cholesky; nil when it is not positive definite.
    static func logDeterminant(_ m: [[Double]]) -> Double? {
        let n = m.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var sum = 0.0
        for i in 0..<n {
            for j in 0...i {
                var s = m[i][j]
                for k in 0..<j { s -= l[i][k] * l[j][k] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i][i] = s.squareRoot()
                    sum += log(l[i][i])
                } else {
                    l[i][j] = s / l[j][j]
                }
            }
        }
        return 2 * sum
    }
}
