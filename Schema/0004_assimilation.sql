-- 0004: assimilation and validation — a twin version fitted to one of its subject's BOLD runs by
-- the diffusion ensemble Kalman filter, and every version's validation against any stored run.

ALTER TABLE twin_version_file DROP CONSTRAINT twin_version_file_role_check;
ALTER TABLE twin_version_file ADD CONSTRAINT twin_version_file_role_check
    CHECK (role IN ('nodes', 'edges', 'node_types', 'edge_types', 'hyperparameters', 'posterior'));
COMMENT ON COLUMN twin_version_file.role IS
    'nodes, edges, node_types, edge_types: the SONATA circuit (an assimilated version shares its parent''s); hyperparameters: the fitted h(t) (HDF5 /mean, /spread, /forecast, /observed); posterior: the final ensemble (HDF5 checkpoint layout), for warm starts.';

CREATE TABLE assimilation (
    twin_version_id  bigint PRIMARY KEY REFERENCES twin_version (id),
    measure_id       bigint NOT NULL REFERENCES measure (id),
    warm_start_id    bigint REFERENCES twin_version (id),
    settings         jsonb NOT NULL,
    settings_digest  text NOT NULL CHECK (settings_digest ~ '^[0-9a-f]{64}$'),
    observation      jsonb NOT NULL,
    frames           integer NOT NULL CHECK (frames > 0),
    frames_done      integer NOT NULL DEFAULT 0 CHECK (frames_done >= 0 AND frames_done <= frames),
    fit              jsonb,
    wall_seconds     double precision CHECK (wall_seconds >= 0),
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CHECK ((finished_at IS NULL) = (fit IS NULL))
);
CREATE INDEX assimilation_measure ON assimilation (measure_id);
COMMENT ON TABLE assimilation IS
    'How an assimilated twin version was fitted: the BOLD measure, the filter settings (members, hyperparameters and bounds, Q, R, rho, inflation, warm-up, seed, units), the observation preset with its calibrated band, and the fit during assimilation. While its version is assimilating, frames_done counts the frames its checkpoint holds.';
COMMENT ON COLUMN assimilation.settings_digest IS
    'SHA-256 of the parent version, measure and settings: running the same command again finds (and resumes) this assimilation.';
COMMENT ON COLUMN assimilation.warm_start_id IS 'The version whose posterior ensemble started the fit (a re-assimilation); NULL for a cold start.';

CREATE TABLE validation (
    id                  bigserial PRIMARY KEY,
    twin_version_id     bigint NOT NULL REFERENCES twin_version (id),
    measure_id          bigint NOT NULL REFERENCES measure (id),
    replay              text NOT NULL CHECK (replay IN ('built', 'fitted', 'mean')),
    in_sample           boolean NOT NULL,
    observation_preset  text NOT NULL,
    seed                numeric(20, 0) NOT NULL CHECK (seed >= 0 AND seed < 18446744073709551616),
    frames              integer NOT NULL CHECK (frames > 0),
    bold_r              double precision CHECK (bold_r BETWEEN -1 AND 1),
    fc_similarity       double precision CHECK (fc_similarity BETWEEN -1 AND 1),
    fc_distance         double precision CHECK (fc_distance >= 0),
    fcd_ks              double precision CHECK (fcd_ks BETWEEN 0 AND 1),
    metrics             jsonb NOT NULL,
    baselines           jsonb NOT NULL,
    code_version        text NOT NULL,
    wall_seconds        double precision NOT NULL CHECK (wall_seconds >= 0),
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX validation_version ON validation (twin_version_id);
COMMENT ON TABLE validation IS
    'A twin version compared with one stored BOLD run: the replayed BOLD (built: the network as built; fitted: the fitted h(t) frame by frame, in sample; mean: the time-averaged fitted h, for another run) against the observed series. bold_r is the mean per-unit Pearson r at the best lag, fc_similarity the r of the off-diagonal FC entries, fc_distance the relative Frobenius distance, fcd_ks the KS distance of the FCD distributions; metrics holds them per unit and for assimilated and other units apart, baselines the empirical FC''s correlation with the structural connectivity.';
