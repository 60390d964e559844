import Foundation

/// Tick positions a reader can take in at a glance, and their labels.
public enum NiceTicks {
    /// Multiples of a step of 1, 2 or 5 × 10^k covering [low, high] with about `target` ticks
    /// (Heckbert's "nice numbers", Graphics Gems 1990), from the last multiple ≤ low to the first
    /// ≥ high.
    public static func linear(_ low: Double, _ high: Double, target: Int = 5) -> [Double] {
        guard low.isFinite, high.isFinite, high > low, target >= 2 else { return [] }
        let (nice, magnitude) = niceStep((high - low) / Double(target - 1))
        let step = nice * magnitude
        let first = floor(low / step + 1e-9), last = ceil(high / step - 1e-9)
        // Below 1 the step is divided out of an integer (3·2/10, not 3·0.2), so that ticks are the
        // doubles nearest to the decimals they stand for (0.6, not 0.6000000000000001).
        let inverse = magnitude < 1 ? (1 / magnitude).rounded() : nil
        return stride(from: first, through: last, by: 1).map { k in
            inverse.map { k * nice / $0 } ?? k * step
        }
    }

    /// The nice number (1, 2, 5 or 10 times 10^k, returned as the factor and 10^k) nearest to a
    /// raw step (Heckbert's rounding form).
    static func niceStep(_ raw: Double) -> (nice: Double, magnitude: Double) {
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        return (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10, magnitude)
    }

    /// The powers of ten 10^⌈low⌉ … 10^⌊high⌋ for a log axis spanning 10^low … 10^high; when that
    /// is a single decade or none, the ends too.
    public static func decades(_ low: Double, _ high: Double) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return [] }
        let powers = stride(from: ceil(low - 1e-9), through: floor(high + 1e-9), by: 1).map { pow(10, $0) }
        return powers.count >= 2 ? powers : [pow(10, low), pow(10, high)]
    }

    /// A tick label: the fewest decimals (up to 6) that write the value to 1e-9 relative, in
    /// positional form for 10⁻⁴ ≤ |v| < 10⁶ and in exponent form (%g) outside; "−" as the minus sign.
    public static func label(_ v: Double) -> String {
        var s = "0"
        if v != 0 {
            let positional = abs(v) >= 1e-4 * (1 - 1e-12) && abs(v) < 1e6
            for digits in (positional ? 0 : 1)...6 {
                s = String(format: positional ? "%.\(digits)f" : "%.\(digits)g", v)
                if abs((Double(s) ?? .nan) - v) <= abs(v) * 1e-9 { break }
            }
        }
        return s.replacingOccurrences(of: "-", with: "\u{2212}")
    }
}
