import Foundation

/// Conditional Granger causality between the units of a frames × units series: for every ordered
/// pair source → target, whether the source's past improves the prediction of the target beyond
/// the past of all units (the source's included), in a VAR whose order the BIC chooses.
///
/// For the target's regression on the past of every unit (full) and on the past of every unit
/// but the source (restricted), the strength is ln(RSS_restricted / RSS_full) (Geweke's measure)
/// and significance is the F-test of the p excluded coefficients:
/// F = ((RSS_r − RSS_f)/p) / (RSS_f/(T − np − 1)) with (p, T − np − 1) degrees of freedom.
public struct GrangerCausality: Sendable, Codable, Equatable {
    /// One directed influence.
    public struct Link: Sendable, Codable, Equatable {
        /// The unit whose past is tested.
        public let source: Int
        /// The unit that is predicted.
        public let target: Int
        /// ln(RSS_restricted / RSS_full) ≥ 0.
        public let strength: Double
        /// The F statistic of the source's p lag coefficients.
        public let fStatistic: Double
        /// P(F > fStatistic) under no influence.
        public let pValue: Double
    }

    /// The VAR order used.
    public let order: Int
    /// BIC of each order 1 … maxOrder (nil where the fit was singular).
    public let informationCriteria: [Double?]
    /// Frames in each regression (the series length less maxOrder).
    public let frames: Int
    /// Every ordered pair of distinct units, source-major.
    public let links: [Link]

    /// Nil with fewer than 2 units, ragged frames, too few frames for a VAR(maxOrder)
    /// (more than units·maxOrder + 1 after the first maxOrder), or a singular or perfect fit.
    ///
    /// - Parameters: `order` fixes the VAR order; nil chooses it by BIC among 1 … `maxOrder`.
    public init?(_ series: [[Double]], maxOrder: Int, order: Int? = nil) {
        let n = series.first?.count ?? 0
        guard n >= 2, let bic = VectorAutoregression.informationCriteria(series, maxOrder: maxOrder),
              let p = order ?? VectorAutoregression.bestOrder(series, maxOrder: maxOrder), (1...maxOrder).contains(p) else { return nil }
        let start = maxOrder, all = Array(0..<n)
        let full = VectorAutoregression.design(series, order: p, start: start, units: all)
        let fitted = series.count - start
        let denominatorDF = Double(fitted - n * p - 1)
        var links: [Link] = []
        var fullRSS: [Double] = []
        for target in all {
            guard let fit = LeastSquares(design: full, target: series[start...].map { $0[target] }),
                  fit.residualSumOfSquares > 0 else { return nil }
            fullRSS.append(fit.residualSumOfSquares)
        }
        for source in all {
            // The restricted design: the full one without the source's p lag columns.
            let drop = Set((0..<p).map { 1 + source * p + $0 })
            let restricted = full.map { row in row.indices.filter { !drop.contains($0) }.map { row[$0] } }
            for target in all where target != source {
                guard let fit = LeastSquares(design: restricted, target: series[start...].map { $0[target] }) else { return nil }
                let rssR = fit.residualSumOfSquares, rssF = fullRSS[target]
                let f = max(0, (rssR - rssF) / Double(p)) / (rssF / denominatorDF)
                links.append(Link(source: source, target: target, strength: log(rssR / rssF), fStatistic: f,
                                  pValue: Distributions.fSurvival(f, d1: Double(p), d2: denominatorDF)))
            }
        }
        self.order = p
        informationCriteria = bic
        frames = fitted
        self.links = links
    }

    /// The link from `source` to `target`, if both are units of the series and differ.
    public func link(from source: Int, to target: Int) -> Link? {
        links.first { $0.source == source && $0.target == target }
    }
}
