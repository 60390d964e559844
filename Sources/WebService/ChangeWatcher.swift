import Dispatch
import Foundation
import Postgres
import ServiceLifecycle
import Store

/// Keeps the ``ResponseCache`` and the ``TokenCache`` honest: a connection of its own listens on
/// `data_changed`; a notice about `api_token` empties the token cache, any other the response
/// cache. While the connection is down both are disabled (a change could go unheard), and they are
/// enabled again only after `LISTEN` succeeds on a new one.
struct ChangeWatcher: Service {
    let responses: ResponseCache
    let tokens: TokenCache
    /// The libpq connection string of the server's database.
    let connectionInfo: String
    /// Seconds between attempts to reconnect.
    var retry = 1.0

    func run() async throws {
        let held = Held()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let listening = await Self.blocking { step(held) }
            if !listening { try? await Task.sleep(for: .seconds(retry)) }
        }
        disable()
    }

    /// The watcher's connection (unchecked: only the one step running at a time touches it).
    private final class Held: @unchecked Sendable {
        var connection: PostgresConnection?
    }

    /// Listens (connecting first when needed) for up to half a second; false when the connection
    /// failed, which leaves the cache disabled until a new one listens.
    private func step(_ held: Held) -> Bool {
        do {
            let connection = try held.connection ?? listening()
            held.connection = connection
            guard var notice = try connection.waitForNotification(timeout: 0.5) else { return true }
            var tables: Set<String> = []
            while true {
                // A payload that does not decode names no table: both caches are emptied.
                tables.insert((try? notice.decode(DataChangedNotification.self))?.table ?? "")
                guard let next = try connection.waitForNotification(timeout: 0) else { break }
                notice = next
            }
            if tables.contains(where: { $0 != Self.tokenTable }) { responses.invalidate() }
            if tables.contains(Self.tokenTable) || tables.contains("") { tokens.invalidate() }
            return true
        } catch {
            disable()
            held.connection = nil
            return false
        }
    }

    /// The table whose changes concern the tokens only.
    static let tokenTable = "api_token"

    /// A new connection listening on `data_changed`, and both caches enabled from that moment on.
    private func listening() throws -> PostgresConnection {
        let connection = try PostgresConnection(connectionInfo)
        try connection.listen(DataChangedNotification.channel)
        responses.enable()
        tokens.enable()
        return connection
    }

    private func disable() {
        responses.disable()
        tokens.disable()
    }

    /// Runs blocking libpq work on a dispatch thread, off the cooperative pool.
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
