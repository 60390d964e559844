/// Settings or inputs an assimilation cannot use, as one line.
public enum AssimilationError: Error, Equatable, CustomStringConvertible {
    case bounds(lower: Double, upper: Double)
    case invalid(String)

    public var description: String {
        switch self {
        case .bounds(let lo, let hi): "hyperparameter bounds [\(lo), \(hi)]: the lower bound must be finite and below the upper"
        case .invalid(let message): message
        }
    }
}
