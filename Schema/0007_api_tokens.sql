-- 0007: API tokens for `dtb serve`. Only a token's SHA-256 is stored: the secret is shown once, by
-- `dtb token create`, and a stolen database dump cannot be replayed against the server.

CREATE TABLE api_token (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL CHECK (name <> ''),
    role           text NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    secret_sha256  text NOT NULL UNIQUE CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz,
    revoked_at     timestamptz,
    CHECK (expires_at IS NULL OR expires_at > created_at),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

COMMENT ON TABLE api_token IS
    'A bearer token of the HTTP API (dtb serve): read tokens read, write tokens also queue work, admin tokens may do everything. Created by dtb token create, listed by dtb token list, ended by dtb token revoke; rows are never deleted, so a revoked token stays refused.';
COMMENT ON COLUMN api_token.name IS 'What the token is for, as its creator named it (a notebook, a pipeline).';
COMMENT ON COLUMN api_token.role IS 'read: GET only; write: read and queue jobs; admin: everything.';
COMMENT ON COLUMN api_token.secret_sha256 IS 'SHA-256 (lowercase hex) of the secret the client sends as Authorization: Bearer <secret>.';
COMMENT ON COLUMN api_token.expires_at IS 'After this the token is refused; NULL: it does not expire.';
COMMENT ON COLUMN api_token.revoked_at IS 'When dtb token revoke ended the token; NULL while it is live.';

-- What the API queues besides twin work: an ingest of a BIDS dataset inside the server's data
-- directory (its path resolved, symlinks included, before the job is queued).
ALTER TABLE job DROP CONSTRAINT job_kind_check;
ALTER TABLE job ADD CONSTRAINT job_kind_check CHECK (kind IN ('build', 'validate', 'assimilate', 'study', 'ingest'));
COMMENT ON COLUMN job.kind IS 'build: rebuild a twin''s structure as a new version; validate: a twin version against a BOLD measure; assimilate: fit a twin version to a BOLD measure, giving a new version; study: run (or resume) a virtual-treatment study; ingest: a BIDS dataset (payload.path, absolute and inside the server''s data directory).';
