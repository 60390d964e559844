/// A failed HDF5 operation: the file, what was being done, and HDF5's own error stack.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// The HDF5 file.
    public var path: String
    /// What failed, e.g. `"open dataset /neurons/v"`.
    public var operation: String
    /// HDF5's error-stack messages, outermost first (empty when the check was ours, not HDF5's).
    public var stack: [String]

    public init(path: String, operation: String, stack: [String] = []) {
        self.path = path
        self.operation = operation
        self.stack = stack
    }

    /// One line: `"<path>: cannot <operation>: <HDF5 messages>"`.
    public var description: String {
        let detail = stack.isEmpty ? "" : ": " + stack.joined(separator: ": ")
        return "\(path): cannot \(operation)\(detail)"
    }
}
