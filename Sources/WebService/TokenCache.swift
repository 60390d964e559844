import Foundation
import Services

/// The live tokens the server has checked, so that a request with a token does not wait for a
/// database connection to learn its role.
///
/// Like the ``ResponseCache`` it trusts only the ``ChangeWatcher``: enabled while the watcher
/// listens, emptied by every change to `api_token` (a revocation holds from its commit), and a
/// lookup that raced such a change is not kept. Only grants are kept, never refusals, and a grant
/// is used only before its token's expiry: from that moment the database decides again.
public final class TokenCache: @unchecked Sendable {
    private let lock = NSLock()
    private var grants: [String: APITokenGrant] = [:]
    private var generation: UInt64 = 0
    private var enabled = false
    /// Most secrets kept; past it the cache starts afresh (a flood of tokens costs queries, not memory).
    let capacity: Int

    public init(capacity: Int = 10_000) { self.capacity = capacity }

    /// How many grants are kept now.
    public var count: Int { lock.withLock { grants.count } }

    /// The role `secret` was granted, while it is kept and before its expiry.
    func role(of secret: String) -> APIRole? {
        lock.withLock {
            guard enabled, let grant = grants[secret] else { return nil }
            if let expiry = grant.expiresAt, expiry <= Date() { grants[secret] = nil; return nil }
            return grant.role
        }
    }

    /// Taken before the database is asked; nil while the cache is disabled.
    func ticket() -> UInt64? {
        lock.withLock { enabled ? generation : nil }
    }

    /// Keeps the database's grant unless `api_token` changed since `ticket`.
    func keep(_ grant: APITokenGrant, for secret: String, ticket: UInt64) {
        lock.withLock {
            guard enabled, ticket == generation else { return }
            if grants.count >= capacity { grants.removeAll(keepingCapacity: true) }
            grants[secret] = grant
        }
    }

    /// `api_token` changed: forget every grant.
    func invalidate() { lock.withLock { clear() } }

    /// The watcher listens from now on.
    func enable() { lock.withLock { clear(); enabled = true } }

    /// The watcher cannot hear changes.
    func disable() { lock.withLock { clear(); enabled = false } }

    private func clear() {
        generation &+= 1
        grants.removeAll(keepingCapacity: true)
    }
}
