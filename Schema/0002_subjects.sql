-- 0002: subjects, their scans (versioned, checksummed) and the measures derived from them per atlas.

CREATE TABLE pipeline (
    id            serial PRIMARY KEY,
    name          text NOT NULL CHECK (name <> ''),
    version       text NOT NULL,
    generated_by  jsonb NOT NULL,
    UNIQUE (name, version)
);
COMMENT ON TABLE pipeline IS
    'A program that produced derivative files (BIDS GeneratedBy of derivatives/<pipeline>/dataset_description.json); name ''dtb'' for what dtb computes itself.';

CREATE TABLE subject (
    id           serial PRIMARY KEY,
    label        text NOT NULL UNIQUE CHECK (label ~ '^[A-Za-z0-9]+$'),
    dataset      text NOT NULL,
    participant  jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE subject IS
    'A person (BIDS sub-<label>); participant holds their participants.tsv row. The label is unique across datasets.';

CREATE TABLE session (
    id          serial PRIMARY KEY,
    subject_id  integer NOT NULL REFERENCES subject (id),
    label       text NOT NULL CHECK (label = '' OR label ~ '^[A-Za-z0-9]+$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subject_id, label)
);
COMMENT ON TABLE session IS 'A BIDS ses-<label> of a subject; the empty label stands for a dataset without sessions.';

CREATE TABLE scan (
    id                bigserial PRIMARY KEY,
    session_id        integer NOT NULL REFERENCES session (id),
    modality          text NOT NULL CHECK (modality IN ('anat', 'dwi', 'pet', 'func')),
    suffix            text NOT NULL CHECK (suffix ~ '^[A-Za-z0-9]+$'),
    bids_path         text NOT NULL CHECK (bids_path !~ '^/' AND bids_path !~ '\.\.'),
    version           integer NOT NULL CHECK (version > 0),
    sha256            text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes        bigint NOT NULL CHECK (size_bytes >= 0),
    entities          jsonb NOT NULL,
    header            jsonb NOT NULL,
    sidecar           jsonb NOT NULL,
    acquisition_time  timestamptz,
    pipeline_id       integer REFERENCES pipeline (id),
    source_scan_id    bigint REFERENCES scan (id),
    ingested_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, bids_path, version),
    UNIQUE (session_id, bids_path, version)
);
CREATE INDEX scan_session ON scan (session_id);
COMMENT ON TABLE scan IS
    'One version of one file of a BIDS dataset (raw, or a derivative when pipeline_id is set): path relative to the dataset root, checksum, NIfTI header and merged JSON sidecar. A changed file adds version n+1; nothing is overwritten.';
COMMENT ON COLUMN scan.source_scan_id IS 'For a derivative: the raw scan it was computed from, when the dataset has it.';

CREATE TABLE measure (
    id                bigserial PRIMARY KEY,
    scan_id           bigint NOT NULL REFERENCES scan (id),
    atlas_id          integer NOT NULL REFERENCES atlas (id),
    grid_id           integer REFERENCES atlas_grid (id),
    pipeline_id       integer NOT NULL REFERENCES pipeline (id),
    kind              text NOT NULL CHECK (kind IN ('gm_volume', 'synaptic_density', 'bold_timeseries',
                                                    'tract_density', 'tract_length')),
    unit              text NOT NULL,
    region_count      integer NOT NULL CHECK (region_count > 0),
    frames            integer CHECK (frames > 0),
    repetition_time   double precision CHECK (repetition_time > 0),
    masked_voxels     bigint NOT NULL DEFAULT 0 CHECK (masked_voxels >= 0),
    resampled         boolean NOT NULL DEFAULT false,
    file_id           bigint REFERENCES data_file (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (scan_id, atlas_id, kind),
    CHECK ((kind = 'bold_timeseries') = (frames IS NOT NULL AND file_id IS NOT NULL))
);
CREATE INDEX measure_scan ON measure (scan_id);
COMMENT ON TABLE measure IS
    'A set of values derived from one scan version on one atlas: regional values (regional_value), a connectome (connectome_edge) or region time series (HDF5 file_id: /series frames x regions, /labels, and for maps /voxels in the atlas voxel-list order). pipeline_id is the provenance (GeneratedBy).';
COMMENT ON COLUMN measure.masked_voxels IS 'NaN/Inf voxels left out of the values (only with an explicit --mask-nonfinite).';
COMMENT ON COLUMN measure.resampled IS 'True when the atlas labels were resampled (nearest label) onto the image grid.';

CREATE TABLE regional_value (
    measure_id   bigint NOT NULL REFERENCES measure (id),
    region_id    integer NOT NULL REFERENCES region (id),
    value        double precision NOT NULL,
    voxel_count  integer NOT NULL CHECK (voxel_count > 0),
    PRIMARY KEY (measure_id, region_id)
);
COMMENT ON TABLE regional_value IS
    'One region''s value of a measure (gray-matter volume in mm3, mean synaptic density, ...) and the image voxels it came from.';

CREATE TABLE connectome_edge (
    measure_id        bigint NOT NULL REFERENCES measure (id),
    source_region_id  integer NOT NULL REFERENCES region (id),
    target_region_id  integer NOT NULL REFERENCES region (id),
    value             double precision NOT NULL CHECK (value >= 0),
    PRIMARY KEY (measure_id, source_region_id, target_region_id)
);
COMMENT ON TABLE connectome_edge IS 'A non-zero entry of a region x region structural connectome (tract density or length).';

CREATE TABLE task_event (
    scan_id     bigint NOT NULL REFERENCES scan (id),
    ordinal     integer NOT NULL CHECK (ordinal > 0),
    onset       double precision NOT NULL,
    duration    double precision NOT NULL CHECK (duration >= 0),
    trial_type  text,
    extra       jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (scan_id, ordinal)
);
COMMENT ON TABLE task_event IS 'The rows of a functional run''s events.tsv (onset and duration in seconds).';

CREATE TABLE dwi_gradient (
    scan_id  bigint PRIMARY KEY REFERENCES scan (id),
    bvals    double precision[] NOT NULL,
    bvecs    double precision[] NOT NULL,
    CHECK (array_length(bvecs, 1) = 3 * array_length(bvals, 1))
);
COMMENT ON TABLE dwi_gradient IS 'The b-values and gradient directions (x1..xn, y1..yn, z1..zn) of a DWI scan.';
