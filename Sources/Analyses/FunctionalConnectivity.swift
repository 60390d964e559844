/// The functional connectivity of a frames × units series: the units' Pearson correlation matrix.
public struct FunctionalConnectivity: Sendable, Codable, Equatable {
    public let units: Int
    /// Row-major units × units; 0 where a unit is constant (its correlation is undefined), 1 on the diagonal.
    public let matrix: [Double]

    public init(_ series: [[Double]]) {
        let n = series.first?.count ?? 0
        units = n
        let columns = (0..<n).map { u in series.map { $0[u] } }
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            m[i * n + i] = 1
            for j in 0..<i {
                let r = pearson(columns[i], columns[j]) ?? 0
                m[i * n + j] = r; m[j * n + i] = r
            }
        }
        matrix = m
    }

    /// The entries above the diagonal, row by row.
    public var upperTriangle: [Double] {
        (0..<units).flatMap { i in ((i + 1)..<units).map { matrix[i * units + $0] } }
    }

    /// Pearson r of the off-diagonal entries of two FC matrices (DTB's FC similarity).
    public func similarity(to other: FunctionalConnectivity) -> Double? {
        guard other.units == units else { return nil }
        return pearson(upperTriangle, other.upperTriangle)
    }

    /// ‖self − reference‖_F / ‖reference‖_F over the off-diagonal entries.
    public func relativeDistance(from reference: FunctionalConnectivity) -> Double? {
        guard reference.units == units else { return nil }
        let a = upperTriangle, b = reference.upperTriangle
        let norm = b.reduce(0) { $0 + $1 * $1 }
        guard norm > 0 else { return nil }
        return (zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / norm).squareRoot()
    }

    /// Pearson r between the off-diagonal entries of FC and of a structural matrix (units × units),
    /// raw, and with the structural weights log-transformed (pairs without a tract left out).
    public func structuralCorrelation(_ structure: [[Double]]) -> (raw: Double?, log: Double?) {
        guard structure.count == units, structure.allSatisfy({ $0.count == units }) else { return (nil, nil) }
        var fc: [Double] = [], sc: [Double] = [], logFC: [Double] = [], logSC: [Double] = []
        for i in 0..<units {
            for j in (i + 1)..<units {
                let s = (structure[i][j] + structure[j][i]) / 2
                fc.append(matrix[i * units + j]); sc.append(s)
                if s > 0 { logFC.append(matrix[i * units + j]); logSC.append(Foundation.log(s)) }
            }
        }
        return (pearson(fc, sc), pearson(logFC, logSC))
    }
}

import Foundation
