/// Why a benchmark could not run or finish; one line fit to show a user as is.
public struct BenchmarkError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
