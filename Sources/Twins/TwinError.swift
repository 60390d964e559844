/// Why a twin operation failed; each description is one line naming the cause.
public enum TwinError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case missingData(String)
    case unsupported(String)
    case invalid(String)
    /// A stored file is missing or does not match its checksum.
    case file(String)

    public var description: String {
        switch self {
        case let .notFound(text), let .missingData(text), let .unsupported(text), let .invalid(text), let .file(text):
            return text
        }
    }
}
