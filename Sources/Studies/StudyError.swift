/// Why a study cannot be created, run or shown; every description is one line naming the
/// study, option or value.
public enum StudyError: Error, Equatable, CustomStringConvertible {
    /// A bad intervention, sweep or option.
    case invalid(String)
    /// A study, twin version, region or measure that does not exist.
    case notFound(String)

    public var description: String {
        switch self {
        case .invalid(let message), .notFound(let message): return message
        }
    }
}
