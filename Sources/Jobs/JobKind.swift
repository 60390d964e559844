import Postgres

/// What a job does: `job.kind` (see `Schema/0005_jobs.sql`, `0006_studies.sql`, `0007_api_tokens.sql`), and the key of the worker's handler table.
public enum JobKind: String, Sendable, Codable, CaseIterable, PostgresBindable {
    /// Rebuild a twin's structure from new anatomy as a new version.
    case build
    /// Compare a twin version's simulated BOLD with a measured one (a validation row).
    case validate
    /// Fit a twin version to a BOLD measure, giving a new version.
    case assimilate
    /// Run (or resume) a virtual-treatment study.
    case study
    /// Ingest a BIDS dataset from the server's data directory (queued by `dtb serve`).
    case ingest

    /// The kind as the database spells it.
    public var postgresText: String { rawValue }
    /// Sent as `text`, which the column's CHECK constraint compares with its list.
    public static var postgresTypeOID: UInt32 { PostgresType.text }
}

/// Where a job is in its life: `job.status`.
public enum JobStatus: String, Sendable, Codable, CaseIterable, PostgresBindable {
    /// Waiting to be claimed: new, or back after a failed attempt that left attempts to spare.
    case queued
    /// Leased to a worker, which extends the lease by heartbeats until it completes or fails the job.
    case running
    /// Completed; its result is recorded.
    case done
    /// Out of attempts, or a job it depends on failed: no worker will run it again.
    case failed

    /// The status as the database spells it.
    public var postgresText: String { rawValue }
    /// Sent as `text`, which the column's CHECK constraint compares with its list.
    public static var postgresTypeOID: UInt32 { PostgresType.text }
}
