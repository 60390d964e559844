/// Errors from the storage layer, each a single line a user can act on.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The embedded server could not be set up, started or stopped.
    case server(String)
    /// A migration file is missing, malformed or differs from what the database recorded.
    case migration(String)
    /// A record the command needs does not exist.
    case notFound(String)
    /// The input contradicts what is already stored.
    case conflict(String)
    /// A file the database points to is missing or its checksum changed.
    case file(String)

    public var description: String {
        switch self {
        case .server(let message), .migration(let message), .notFound(let message),
             .conflict(let message), .file(let message):
            return message
        }
    }
}
