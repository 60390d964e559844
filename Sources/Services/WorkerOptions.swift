import Foundation

/// `dtb worker`'s options; ``check()`` refuses values out of range before any work.
public struct WorkerOptions: Sendable {
    /// Plan, run every job until none is queued or running, and return (instead of listening for ever).
    public var once = false
    /// How long a claimed job belongs to this worker without a heartbeat (beats come every third of it).
    public var leaseSeconds = 60.0
    /// How long an idle worker waits for a notification before it looks at the queue again.
    public var pollSeconds = 5.0
    /// The lease owner's name: host, process and a random part, unique per worker.
    public var workerID = WorkerOptions.newWorkerID()

    public init() {}

    /// A one-line ``ServiceError`` for the first option out of range.
    public func check() throws {
        guard leaseSeconds.isFinite, leaseSeconds >= 1, leaseSeconds <= 86_400 else {
            throw ServiceError.invalidOption("--lease-seconds", value: Self.text(leaseSeconds), problem: "a lease lasts from 1 s to 86400 s (a day)")
        }
        guard pollSeconds.isFinite, pollSeconds >= 0.05, pollSeconds <= 3_600 else {
            throw ServiceError.invalidOption("--poll-seconds", value: Self.text(pollSeconds), problem: "the poll interval is from 0.05 s to 3600 s")
        }
    }

    /// `host:pid:8 hex digits`.
    public static func newWorkerID() -> String {
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        return "\(ProcessInfo.processInfo.hostName):\(getpid()):\(random)"
    }

    private static func text(_ value: Double) -> String {
        value.isNaN ? "nan" : value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
