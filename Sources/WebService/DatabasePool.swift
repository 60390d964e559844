import Dispatch
import Foundation
import Store

/// The server's database connections: a fixed number, each used by one request at a time.
///
/// libpq connections are blocking and not shareable between threads, so a request borrows one and
/// does its (synchronous) Services call on a dispatch thread, off the server's event loops. When
/// every connection is busy a request waits for one as a suspended task, first come first served:
/// no thread is held while it waits (blocking dispatch threads on a condition let 200 waiting
/// requests starve the ones holding connections of threads).
public final class DatabasePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Database]
    private var waiting: [CheckedContinuation<Lease, Never>] = []
    private var head = 0
    /// How many connections the pool holds.
    public let size: Int
    /// The libpq connection string of the pool's database, for a connection of one's own.
    public let connectionInfo: String

    /// Opens `size` (at least one) connections with `open` (each migrated, as `Database` does).
    public init(size: Int, open: () throws -> Database) throws {
        self.size = max(1, size)
        idle = try (0..<self.size).map { _ in try open() }
        connectionInfo = idle[0].connection.connectionInfo
    }

    /// Runs `body` with a connection of its own, on a dispatch thread.
    public func withDatabase<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let lease = await take()
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let result = Result { try body(lease.database) }
                self.give(lease)
                continuation.resume(with: result)
            }
        }
    }

    /// A connection on its way to the one request that uses it (unchecked: only that request's
    /// dispatch thread touches it until it is given back).
    private struct Lease: @unchecked Sendable {
        let database: Database
    }

    /// An idle connection, or a place in the queue of requests waiting for one.
    private func take() async -> Lease {
        await withCheckedContinuation { (continuation: CheckedContinuation<Lease, Never>) in
            let database = lock.withLock { () -> Database? in
                if let database = idle.popLast() { return database }
                waiting.append(continuation)
                return nil
            }
            if let database { continuation.resume(returning: Lease(database: database)) }
        }
    }

    /// Hands the connection to the longest-waiting request, else back to the idle ones.
    private func give(_ lease: Lease) {
        let next = lock.withLock { () -> CheckedContinuation<Lease, Never>? in
            guard head < waiting.count else {
                waiting.removeAll(keepingCapacity: true)
                head = 0
                idle.append(lease.database)
                return nil
            }
            let next = waiting[head]
            head += 1
            // Drop the served prefix now and then, so the queue does not grow without bound.
            if head > 1_024 && head * 2 > waiting.count { waiting.removeFirst(head); head = 0 }
            return next
        }
        next?.resume(returning: lease)
    }
}
