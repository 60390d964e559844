-- 0005: the durable job queue `dtb worker` drains: builds, validations and assimilations that new
-- data calls for. (0004 is reserved for another branch; this migration depends only on 0001–0003,
-- and not even on those: a job names what it is about in its payload.)

CREATE TABLE job (
    id                bigserial PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('build', 'validate', 'assimilate')),
    idempotency_key   text NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    payload           jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    status            text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts      integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    lease_owner       text CHECK (lease_owner <> ''),
    lease_expires_at  timestamptz,
    heartbeat_at      timestamptz,
    last_error        text,
    result            jsonb,
    depends_on        bigint REFERENCES job (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    CHECK (attempts <= max_attempts),
    CHECK (depends_on <> id),
    CHECK (status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL AND started_at IS NOT NULL)),
    CHECK (status <> 'queued' OR lease_expires_at IS NULL),
    CHECK ((status = 'done') = (result IS NOT NULL)),
    CHECK ((status IN ('done', 'failed')) = (finished_at IS NOT NULL)),
    CHECK (status <> 'failed' OR last_error IS NOT NULL)
);
-- The claim query: the oldest queued job, or running one whose lease has run out.
CREATE INDEX job_claimable ON job (created_at, id) WHERE status IN ('queued', 'running');
-- Failing a job fails the jobs that wait for it.
CREATE INDEX job_depends_on ON job (depends_on) WHERE depends_on IS NOT NULL;
-- dtb jobs --status.
CREATE INDEX job_status ON job (status, id);

COMMENT ON TABLE job IS
    'A unit of work for dtb worker, queued when new data calls for it (a build for new anatomy; validate, assimilate, validate for new BOLD). A worker claims it with a lease it extends by heartbeats; a job whose lease runs out is taken over by another worker, so handlers run at least once and must be idempotent.';
COMMENT ON COLUMN job.kind IS 'build: rebuild a twin''s structure as a new version; validate: a twin version against a BOLD measure; assimilate: fit a twin version to a BOLD measure, giving a new version.';
COMMENT ON COLUMN job.idempotency_key IS
    'What the job is about, e.g. build:twin=3:gm_volume=12,synaptic_density=40,tract_density=13,tract_length=14 or validate:twin=3:measure=17:before: the same data never queues the same job twice.';
COMMENT ON COLUMN job.payload IS 'The job''s arguments in dtb''s JSON style (snake_case keys): twin, twin_id, and the measures or measure and version it is about.';
COMMENT ON COLUMN job.status IS 'queued: waiting (new, or back after a failed attempt); running: leased to lease_owner; done: result recorded; failed: max_attempts used up, or a job it depends on failed.';
COMMENT ON COLUMN job.attempts IS 'Claims so far, the current one included; a claim after an expired lease counts as a new attempt.';
COMMENT ON COLUMN job.lease_owner IS 'The worker (host:pid:random) that holds or last held the job.';
COMMENT ON COLUMN job.lease_expires_at IS 'Until when the job belongs to lease_owner; after it another worker may claim it. Server time (now()), as every time of this table.';
COMMENT ON COLUMN job.heartbeat_at IS 'When lease_owner last extended the lease.';
COMMENT ON COLUMN job.last_error IS 'The error of the latest failed attempt (one line), or how the previous owner lost its lease.';
COMMENT ON COLUMN job.result IS 'What the handler returned (JSON, snake_case keys); a job about a version names it as result.version.';
COMMENT ON COLUMN job.depends_on IS 'A job that must be done before this one runs (validate-new-version after assimilate); when it fails for good, so does this one.';
