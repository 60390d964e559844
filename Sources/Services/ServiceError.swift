/// A request a workflow refuses before doing any work; each description is one line naming the
/// option or input and the problem, fit to show a user as is.
public enum ServiceError: Error, Equatable, CustomStringConvertible {
    /// An option's value is out of range: `--neurons 0: the twin needs at least one neuron`.
    case invalidOption(String, value: String, problem: String)
    /// Options that do not go together: `give either BIDS_ROOT or --derivative FILE…`.
    case invalidRequest(String)

    public var description: String {
        switch self {
        case let .invalidOption(option, value, problem): return "\(option) \(value): \(problem)"
        case let .invalidRequest(problem): return problem
        }
    }
}
