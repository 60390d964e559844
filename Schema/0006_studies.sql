-- 0006: virtual-treatment studies — a twin version's untreated arm against treated arms
-- (lesions, silencing, rewiring, stimulation, receptor changes), every arm run with the same
-- seeds, and the effects with their statistics.

CREATE TABLE study (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*$'),
    twin_version_id  bigint NOT NULL REFERENCES twin_version (id),
    spec             jsonb NOT NULL CHECK (jsonb_typeof(spec) = 'object'),
    seeds            bigint[] NOT NULL CHECK (cardinality(seeds) BETWEEN 1 AND 1000),
    seconds          double precision NOT NULL CHECK (seconds > 0),
    warmup_seconds   double precision NOT NULL CHECK (warmup_seconds >= 0),
    repetition_time  double precision NOT NULL CHECK (repetition_time > 0),
    bin_ms           double precision NOT NULL CHECK (bin_ms > 0),
    measure_id       bigint REFERENCES measure (id),
    replay           text NOT NULL CHECK (replay IN ('built', 'fitted')),
    status           text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete')),
    code_version     text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    CHECK ((status = 'complete') = (completed_at IS NOT NULL))
);
COMMENT ON TABLE study IS
    'A virtual-treatment study of one twin version: its spec (interventions as given, the sweep), the seeds every arm runs with (common random numbers), the run length and recording, and the measure whose empirical FC each arm is compared with. complete only once every arm has a run for every seed and the effects are stored.';
COMMENT ON COLUMN study.replay IS 'built: both arms run the network as built; fitted: both replay the assimilated version''s h(t).';

CREATE TABLE study_arm (
    id             bigserial PRIMARY KEY,
    study_id       bigint NOT NULL REFERENCES study (id),
    arm            integer NOT NULL CHECK (arm >= 0),
    label          text NOT NULL CHECK (label <> ''),
    interventions  jsonb NOT NULL CHECK (jsonb_typeof(interventions) = 'array'),
    sweep_value    double precision,
    UNIQUE (study_id, arm),
    CHECK ((arm = 0) = (interventions = '[]'::jsonb))
);
COMMENT ON TABLE study_arm IS
    'One arm of a study: arm 0 untreated, the others a treatment (the interventions resolved to the twin''s units; sweep_value the swept parameter''s value of this arm).';

CREATE TABLE study_run (
    id              bigserial PRIMARY KEY,
    study_arm_id    bigint NOT NULL REFERENCES study_arm (id),
    seed            bigint NOT NULL,
    file_id         bigint NOT NULL REFERENCES data_file (id),
    spikes          bigint NOT NULL CHECK (spikes >= 0),
    mean_rate_hz    double precision NOT NULL CHECK (mean_rate_hz >= 0),
    fc_similarity   double precision CHECK (fc_similarity BETWEEN -1 AND 1),
    wall_seconds    double precision NOT NULL CHECK (wall_seconds >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (study_arm_id, seed)
);
COMMENT ON TABLE study_run IS
    'One seed of one arm: per-unit firing rates, BOLD, FC and binned activity live in its HDF5 file (/unit_rate_hz, /bold, /fc, /activity); fc_similarity is its FC''s correlation with the study measure''s empirical FC.';

CREATE TABLE study_effect (
    study_arm_id    bigint NOT NULL REFERENCES study_arm (id),
    outcome         text NOT NULL CHECK (outcome ~ '^[a-z0-9_.]+$'),
    unit            text NOT NULL,
    region_id       integer REFERENCES region (id),
    control_mean    double precision NOT NULL,
    treated_mean    double precision NOT NULL,
    difference      double precision NOT NULL,
    ci_lower        double precision,
    ci_upper        double precision,
    effect_size     double precision,
    p_value         double precision CHECK (p_value BETWEEN 0 AND 1),
    q_value         double precision CHECK (q_value BETWEEN 0 AND 1),
    PRIMARY KEY (study_arm_id, outcome, unit),
    CHECK ((ci_lower IS NULL) = (ci_upper IS NULL) AND (ci_lower IS NULL OR ci_lower <= ci_upper))
);
COMMENT ON TABLE study_effect IS
    'The effect of a treated arm on one outcome (per region: rate_hz, psd_<f>hz, and bold_r when the arms replay a fit on its own run; for the whole twin, unit ''all'': mean_rate_hz, fc_similarity, mean_bold_r), paired over the study''s seeds against arm 0: difference of means with its 95 % t interval, d_z, the paired t-test''s p and its Benjamini-Hochberg q over the regions of the outcome.';

ALTER TABLE job DROP CONSTRAINT job_kind_check;
ALTER TABLE job ADD CONSTRAINT job_kind_check CHECK (kind IN ('build', 'validate', 'assimilate', 'study'));
COMMENT ON COLUMN job.kind IS 'build: rebuild a twin''s structure as a new version; validate: a twin version against a BOLD measure; assimilate: fit a twin version to a BOLD measure, giving a new version; study: run (or resume) a virtual-treatment study.';
