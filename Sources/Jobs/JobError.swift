/// A queue operation refused; each description is one line.
public enum JobError: Error, Equatable, CustomStringConvertible {
    /// The worker no longer holds the job's lease: it ran out and another worker may have taken the job.
    case leaseLost(job: Int, worker: String)
    /// No job has this id.
    case notFound(job: Int)
    /// A request the queue cannot store (an empty key, a dependency on a job that does not exist).
    case invalid(String)

    public var description: String {
        switch self {
        case let .leaseLost(job, worker): return "job \(job) is no longer leased to worker \(worker) (its lease ran out)"
        case let .notFound(job): return "job \(job) does not exist"
        case let .invalid(problem): return problem
        }
    }
}
