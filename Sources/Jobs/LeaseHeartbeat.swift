import Foundation
import Postgres

/// Extends a worker's lease of one job every `leaseSeconds / 3` from a thread with a connection
/// of its own, while the worker's thread runs the job; stops at ``stop()``.
///
/// A heartbeat that finds the job no longer leased to the worker stops beating and records the
/// loss: the worker's result will be refused (``JobQueue/complete(job:worker:result:)``), and the
/// new owner runs the job again. A heartbeat that fails (the server unreachable for a moment)
/// tries again at the next beat; the lease has two more beats of slack.
public final class LeaseHeartbeat: @unchecked Sendable {
    private let connectionInfo: String
    private let job: Int
    private let worker: String
    private let leaseSeconds: Double
    private let stopping = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var lost = false
    private var started = false

    /// - Parameter connection: a connection to the queue's database; the heartbeat opens its own with its settings.
    public init(connection: PostgresConnection, job: Int, worker: String, leaseSeconds: Double) {
        connectionInfo = connection.connectionInfo
        self.job = job; self.worker = worker; self.leaseSeconds = leaseSeconds
    }

    /// Starts beating on a thread of its own.
    public func start() {
        lock.withLock { started = true }
        let thread = Thread { [self] in
            beat()
            finished.signal()
        }
        thread.start()
    }

    /// Stops beating and waits for the thread. Returns true when the lease was found lost.
    @discardableResult
    public func stop() -> Bool {
        guard lock.withLock({ started }) else { return false }
        stopping.signal()
        finished.wait()
        return lock.withLock { lost }
    }

    private func beat() {
        var connection: PostgresConnection?
        let interval = leaseSeconds / 3
        while stopping.wait(timeout: .now() + interval) == .timedOut {
            do {
                // Opened on the first beat, and again after a failure (the server restarted, say).
                let open = try connection ?? PostgresConnection(connectionInfo)
                connection = open
                if try !JobQueue(connection: open).heartbeat(job: job, worker: worker, leaseSeconds: leaseSeconds) {
                    lock.withLock { lost = true }
                    return
                }
            } catch {
                connection = nil
            }
        }
    }
}
