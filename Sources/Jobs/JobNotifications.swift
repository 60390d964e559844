import Store

/// `NOTIFY job_queued`: a job was added to the queue (sent inside the enqueueing transaction), so
/// that idle workers claim it without waiting for their next poll.
public struct JobQueuedNotification: NotificationPayload, Equatable {
    public static let channel = "job_queued"
    /// The new job's id.
    public var job: Int
    /// Its kind.
    public var kind: JobKind

    public init(job: Int, kind: JobKind) { self.job = job; self.kind = kind }
}
