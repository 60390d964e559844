import Dispatch
import Foundation
import Postgres
import ServiceLifecycle
import Store

/// Keeps the ``ResponseCache`` honest: a connection of its own listens on `data_changed`, and
/// every notice empties the cache. While the connection is down the cache is disabled (a change
/// could go unheard), and it is enabled again only after `LISTEN` succeeds on a new one.
struct ChangeWatcher: Service {
    let cache: ResponseCache
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
        cache.disable()
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
            if try connection.waitForNotification(timeout: 0.5) != nil {
                while try connection.waitForNotification(timeout: 0) != nil {}
                cache.invalidate()
            }
            return true
        } catch {
            cache.disable()
            held.connection = nil
            return false
        }
    }

    /// A new connection listening on `data_changed`, and the cache enabled from that moment on.
    private func listening() throws -> PostgresConnection {
        let connection = try PostgresConnection(connectionInfo)
        try connection.listen(DataChangedNotification.channel)
        cache.enable()
        return connection
    }

    /// Runs blocking libpq work on a dispatch thread, off the cooperative pool.
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
