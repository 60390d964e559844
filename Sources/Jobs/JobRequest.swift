import Foundation
import Store

/// A job to enqueue: its kind, the key that makes it unique, its payload and what it waits for.
public struct JobRequest: Sendable {
    /// What a request waits for.
    public enum Dependency: Sendable, Equatable {
        /// A job already in the queue.
        case job(Int)
        /// An earlier request of the same ``JobQueue/enqueue(_:)`` batch, by its index.
        case request(Int)
    }

    public var kind: JobKind
    /// What the job is about (kind, twin, measures…): a second request with the key returns the
    /// first job instead of queueing another.
    public var key: String
    /// The job's arguments; encoded in ``JSONStyle`` (snake_case keys).
    public var payload: JSONValue
    public var dependsOn: Dependency?
    public var maxAttempts: Int

    /// - Parameter payload: any value that encodes to a JSON object.
    public init(kind: JobKind, key: String, payload: some Encodable, dependsOn: Dependency? = nil, maxAttempts: Int = 3) throws {
        self.kind = kind; self.key = key; self.payload = try JSONValue(encoding: payload)
        self.dependsOn = dependsOn; self.maxAttempts = maxAttempts
    }
}

/// What ``JobQueue/enqueue(_:)`` did with one request.
public struct EnqueuedJob: Sendable, Equatable {
    /// The job: the new one, or the one queued earlier with the same key.
    public var job: JobRecord
    /// False when the key was already queued (the request changed nothing).
    public var created: Bool
}
