-- 0003: twins — a subject's personal spiking network, one immutable version per build (and, later,
-- per assimilation), with the exact inputs, parameters and files of each version, and its runs.

CREATE TABLE twin (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*$'),
    subject_id  integer NOT NULL REFERENCES subject (id),
    atlas_id    integer NOT NULL REFERENCES atlas (id),
    level       text NOT NULL CHECK (level IN ('region', 'voxel')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subject_id, atlas_id, level)
);
COMMENT ON TABLE twin IS
    'The digital twin of one subject on one atlas at one level (units = regions or gray-matter voxels); its networks are the rows of twin_version. Named <subject>-<atlas>[-voxel] by default.';

CREATE TABLE twin_version (
    id                  bigserial PRIMARY KEY,
    twin_id             integer NOT NULL REFERENCES twin (id),
    version             integer NOT NULL CHECK (version > 0),
    parent_id           bigint REFERENCES twin_version (id),
    origin              text NOT NULL CHECK (origin IN ('build', 'assimilation')),
    status              text NOT NULL CHECK (status IN ('assimilating', 'ready', 'failed')),
    seed                numeric(20, 0) NOT NULL CHECK (seed >= 0 AND seed < 18446744073709551616),
    builder_parameters  jsonb NOT NULL,
    model               jsonb NOT NULL,
    bold_preset         text NOT NULL,
    bold_parameters     jsonb NOT NULL,
    code_version        text NOT NULL,
    neurons             bigint NOT NULL CHECK (neurons > 0),
    synapses            bigint NOT NULL CHECK (synapses >= 0),
    summary             jsonb NOT NULL,
    network_digest      text NOT NULL CHECK (network_digest ~ '^[0-9a-f]{64}$'),
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (twin_id, version),
    CHECK ((version = 1) = (parent_id IS NULL))
);
CREATE INDEX twin_version_twin ON twin_version (twin_id);
COMMENT ON TABLE twin_version IS
    'One immutable network of a twin: what it was built from (twin_version_input), with which builder and engine parameters, seed and code, and its SONATA files (twin_version_file). Versions are numbered 1, 2, ... per twin; each after the first names its parent.';
COMMENT ON COLUMN twin_version.status IS
    'ready: usable; assimilating: an assimilation is writing it (resumable from its checkpoint); failed: an assimilation gave up.';
COMMENT ON COLUMN twin_version.network_digest IS
    'SHA-256 over the SHA-256 of the version''s files in role order: equal networks, equal digest.';
COMMENT ON COLUMN twin_version.summary IS 'Neurons, synapses and per-unit counts (TwinSummary JSON).';

CREATE FUNCTION twin_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (to_jsonb(NEW) - 'status') IS DISTINCT FROM (to_jsonb(OLD) - 'status') THEN
        RAISE EXCEPTION 'twin version % of twin % is immutable (only its status may change)', OLD.version, OLD.twin_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER twin_version_immutable BEFORE UPDATE OR DELETE ON twin_version
    FOR EACH ROW EXECUTE FUNCTION twin_version_immutable();
COMMENT ON FUNCTION twin_version_immutable() IS 'Keeps a recorded twin version as it was built: only status changes.';

CREATE TABLE twin_version_input (
    twin_version_id  bigint NOT NULL REFERENCES twin_version (id),
    role             text NOT NULL CHECK (role IN ('gm_volume', 'synaptic_density', 'tract_density', 'tract_length',
                                                   'bold_timeseries')),
    measure_id       bigint NOT NULL REFERENCES measure (id),
    PRIMARY KEY (twin_version_id, role)
);
COMMENT ON TABLE twin_version_input IS
    'The exact measures (hence scan versions and pipelines) a twin version was built or assimilated from; a role missing here was replaced by the fallback recorded in the builder parameters.';

CREATE TABLE twin_version_file (
    twin_version_id  bigint NOT NULL REFERENCES twin_version (id),
    role             text NOT NULL CHECK (role IN ('nodes', 'edges', 'node_types', 'edge_types')),
    file_id          bigint NOT NULL REFERENCES data_file (id),
    PRIMARY KEY (twin_version_id, role)
);
COMMENT ON TABLE twin_version_file IS 'The SONATA files of a twin version (nodes.h5, edges.h5, node_types.csv, edge_types.csv).';

CREATE TABLE twin_run (
    id               bigserial PRIMARY KEY,
    twin_version_id  bigint NOT NULL REFERENCES twin_version (id),
    seed             numeric(20, 0) NOT NULL CHECK (seed >= 0 AND seed < 18446744073709551616),
    seconds          double precision NOT NULL CHECK (seconds > 0),
    repetition_time  double precision NOT NULL CHECK (repetition_time > 0),
    bold_preset      text NOT NULL,
    spikes           bigint NOT NULL CHECK (spikes >= 0),
    mean_rate_hz     double precision NOT NULL CHECK (mean_rate_hz >= 0),
    wall_seconds     double precision NOT NULL CHECK (wall_seconds >= 0),
    file_id          bigint NOT NULL REFERENCES data_file (id),
    code_version     text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX twin_run_version ON twin_run (twin_version_id);
COMMENT ON TABLE twin_run IS
    'A simulation of a twin version: its BOLD per unit at the TR and firing rates per unit and population live in the HDF5 file (/bold, /unit_rate_hz, /population_rate_hz).';
