import Dispatch
import Foundation
import Store

/// The server's database connections: a fixed number, each used by one request at a time.
///
/// libpq connections are blocking and not shareable between threads, so a request borrows one and
/// does its (synchronous) Services call on a dispatch thread, off the server's event loops; when
/// every connection is busy a request waits for one.
public final class DatabasePool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [Database]
    /// How many connections the pool holds.
    public let size: Int

    /// Opens `size` connections with `open` (each migrated, as `Database` does).
    public init(size: Int, open: () throws -> Database) throws {
        self.size = size
        idle = try (0..<size).map { _ in try open() }
    }

    /// Runs `body` with a connection of its own, on a dispatch thread.
    public func withDatabase<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let database = self.take()
                defer { self.give(database) }
                continuation.resume(with: Result { try body(database) })
            }
        }
    }

    private func take() -> Database {
        condition.lock()
        defer { condition.unlock() }
        while idle.isEmpty { condition.wait() }
        return idle.removeLast()
    }

    private func give(_ database: Database) {
        condition.lock()
        idle.append(database)
        condition.signal()
        condition.unlock()
    }
}
