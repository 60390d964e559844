/// Why sample data could not be written; one line naming the problem.
public enum SampleDataError: Error, Equatable, CustomStringConvertible {
    /// A BOLD run's volume count outside ``SyntheticBOLD/volumeRange``.
    case volumes(Int)
    /// A file that cannot be created.
    case unwritable(String)

    public var description: String {
        switch self {
        case .volumes(let count):
            return "a synthetic BOLD run has \(SyntheticBOLD.volumeRange.lowerBound) to \(SyntheticBOLD.volumeRange.upperBound) volumes, not \(count)"
        case .unwritable(let path):
            return "\(path): cannot create the file"
        }
    }
}
