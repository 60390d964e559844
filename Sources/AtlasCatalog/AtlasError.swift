/// A bad atlas input: one line naming the file (or atlas) and the problem.
public struct AtlasError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// Prefixes the problem with the file's name, the way every atlas error reads.
    static func file(_ path: String, _ problem: String) -> AtlasError { AtlasError("\(path): \(problem)") }
}
