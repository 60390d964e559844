import Hummingbird
import Services

/// The context of one request: Hummingbird's, the role its token grants, and the body limit.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The role the request's token (or `--open`) grants; nil before authentication.
    public var role: APIRole?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
    }

    /// Request bodies are small JSON documents (a measure id, a path): 64 KiB is plenty, and a
    /// larger body is refused with 413 before it is read.
    public var maxUploadSize: Int { 64 * 1024 }

    /// Refuses (403) a request whose role does not permit `required`.
    public func require(_ required: APIRole) throws {
        guard let role, role.permits(required) else {
            throw Problem(.forbidden, "this needs a \(required.rawValue) token; the request's token is \(role?.rawValue ?? "missing")")
        }
    }
}
