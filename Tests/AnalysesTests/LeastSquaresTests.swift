import Analyses
import Testing

@Suite("Least squares")
struct LeastSquaresTests {
    /// y = 2 − 3x + 0.5x² exactly: the coefficients come back and the residuals vanish; a
    /// residual orthogonal to the design is left alone.
    @Test func knownAnswers() throws {
        let xs = (0..<10).map { Double($0) / 3 }
        let design = xs.map { [1, $0, $0 * $0] }
        let exact = try #require(LeastSquares(design: design, target: xs.map { 2 - 3 * $0 + 0.5 * $0 * $0 }))
        #expect(zip(exact.coefficients, [2, -3, 0.5]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(exact.residualSumOfSquares < 1e-20)
        // Fitting a line to ±1 alternating around 4 over a symmetric design: intercept 4, slope 0, RSS = n.
        let alternating = (0..<4).map { [1.0, Double([-1, 1, 1, -1][$0])] }
        let fit = try #require(LeastSquares(design: alternating, target: [5, 3, 5, 3]))
        #expect(abs(fit.coefficients[0] - 4) < 1e-12 && abs(fit.coefficients[1] + 0) < 1e-12)
        #expect(abs(fit.residualSumOfSquares - 4) < 1e-12)
    }

    /// A rank-deficient design or too few rows has no fit.
    @Test func degenerate() {
        #expect(LeastSquares(design: [[1, 2], [2, 4], [3, 6]], target: [1, 2, 3]) == nil)
        #expect(LeastSquares(design: [[1, 2], [2, 5]], target: [1, 2]) == nil)
        #expect(LeastSquares(design: [], target: []) == nil)
    }
}
