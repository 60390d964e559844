-- 0001: files the database points to, and the atlas database.

CREATE TABLE data_file (
    id            bigserial PRIMARY KEY,
    relative_path text NOT NULL UNIQUE CHECK (relative_path !~ '^/' AND relative_path !~ '\.\.'),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
    format        text NOT NULL CHECK (format IN ('hdf5', 'nifti', 'tsv', 'json', 'other')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE data_file IS
    'A file under the dtb data home (files/) that some row refers to; content addressed by its SHA-256.';

CREATE TABLE atlas (
    id              serial PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.-]*$'),
    title           text NOT NULL,
    version         text NOT NULL,
    template_space  text NOT NULL,
    citation        text NOT NULL,
    licence         text NOT NULL,
    content_sha256  text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    region_count    integer NOT NULL CHECK (region_count > 0),
    imported_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE atlas IS 'A brain parcellation in a template space.';
COMMENT ON COLUMN atlas.content_sha256 IS
    'Digest over the source files and the import recipe; re-importing the same content is a no-op, different content under the same name is refused.';

CREATE TABLE atlas_source_file (
    atlas_id    integer NOT NULL REFERENCES atlas (id),
    file_name   text NOT NULL,
    role        text NOT NULL,
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes  bigint NOT NULL CHECK (size_bytes > 0),
    url         text,
    PRIMARY KEY (atlas_id, file_name)
);
COMMENT ON TABLE atlas_source_file IS 'The public files an atlas was built from, with their checksums and origin.';

CREATE TABLE atlas_grid (
    id              serial PRIMARY KEY,
    atlas_id        integer NOT NULL REFERENCES atlas (id),
    resolution_mm   double precision NOT NULL CHECK (resolution_mm > 0),
    dims            integer[] NOT NULL CHECK (array_length(dims, 1) = 3 AND 0 < ALL (dims)),
    affine          double precision[] NOT NULL CHECK (array_length(affine, 1) = 16),
    is_primary      boolean NOT NULL,
    label_file_id   bigint NOT NULL REFERENCES data_file (id),
    labelled_voxels integer NOT NULL CHECK (labelled_voxels > 0),
    UNIQUE (atlas_id, resolution_mm)
);
CREATE UNIQUE INDEX atlas_grid_one_primary ON atlas_grid (atlas_id) WHERE is_primary;
COMMENT ON TABLE atlas_grid IS
    'A voxel grid on which an atlas''s label volume is stored (HDF5: /grid_<mm>mm/labels and the per-region voxel lists).';
COMMENT ON COLUMN atlas_grid.affine IS 'Voxel-to-template (mm) matrix, 4x4 row-major.';

CREATE TABLE atlas_structure (
    id          serial PRIMARY KEY,
    atlas_id    integer NOT NULL REFERENCES atlas (id),
    level       text NOT NULL CHECK (level IN ('lobe', 'gyrus', 'structure')),
    name        text NOT NULL,
    description text,
    parent_id   integer REFERENCES atlas_structure (id),
    UNIQUE (atlas_id, level, name),
    CHECK ((level = 'gyrus') = (parent_id IS NOT NULL))
);
COMMENT ON TABLE atlas_structure IS
    'Hierarchy above the regions: Brainnetome lobes and their gyri, or cortex/subcortex for atlases without lobes.';

CREATE TABLE region (
    id            serial PRIMARY KEY,
    atlas_id      integer NOT NULL REFERENCES atlas (id),
    label         integer NOT NULL CHECK (label > 0),
    name          text NOT NULL CHECK (name <> ''),
    hemisphere    text NOT NULL CHECK (hemisphere IN ('left', 'right', 'bilateral')),
    kind          text NOT NULL CHECK (kind IN ('cortical', 'subcortical')),
    lobe          text,
    gyrus         text,
    description   text,
    parent_id     integer REFERENCES atlas_structure (id),
    centroid_mni  double precision[] NOT NULL CHECK (array_length(centroid_mni, 1) = 3),
    UNIQUE (atlas_id, label),
    UNIQUE (atlas_id, name)
);
COMMENT ON TABLE region IS 'One parcel of an atlas; centroid_mni is the mean template coordinate of its voxels on the finest grid.';

CREATE TABLE region_network (
    region_id  integer NOT NULL REFERENCES region (id),
    scheme     text NOT NULL CHECK (scheme ~ '^[a-z0-9_-]+$'),
    network    text NOT NULL,
    PRIMARY KEY (region_id, scheme)
);
COMMENT ON TABLE region_network IS 'Network assignments of a region, e.g. scheme yeo7 / yeo17.';

CREATE TABLE region_grid (
    region_id     integer NOT NULL REFERENCES region (id),
    grid_id       integer NOT NULL REFERENCES atlas_grid (id),
    voxel_count   integer NOT NULL CHECK (voxel_count > 0),
    volume_mm3    double precision NOT NULL CHECK (volume_mm3 > 0),
    voxel_offset  bigint NOT NULL CHECK (voxel_offset >= 0),
    centroid_mni  double precision[] NOT NULL CHECK (array_length(centroid_mni, 1) = 3),
    PRIMARY KEY (region_id, grid_id)
);
COMMENT ON TABLE region_grid IS
    'A region on one grid: its voxel count and volume, and where its voxel list starts in the grid''s HDF5 /voxels dataset.';

-- A broken atlas cannot be committed: at commit time the atlas must have exactly region_count
-- regions and every region must be present on every grid of the atlas.
CREATE FUNCTION atlas_is_complete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a atlas;
    regions integer;
    missing integer;
BEGIN
    SELECT * INTO a FROM atlas WHERE id = NEW.id;
    IF NOT FOUND THEN RETURN NULL; END IF;
    SELECT count(*) INTO regions FROM region WHERE atlas_id = a.id;
    IF regions <> a.region_count THEN
        RAISE EXCEPTION 'atlas % declares % regions but has %', a.name, a.region_count, regions
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT count(*) INTO missing
      FROM region r CROSS JOIN atlas_grid g
     WHERE r.atlas_id = a.id AND g.atlas_id = a.id
       AND NOT EXISTS (SELECT 1 FROM region_grid rg WHERE rg.region_id = r.id AND rg.grid_id = g.id);
    IF missing > 0 THEN
        RAISE EXCEPTION 'atlas %: % region/grid pairs have no voxels', a.name, missing
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM atlas_grid WHERE atlas_id = a.id AND is_primary) THEN
        RAISE EXCEPTION 'atlas % has no primary grid', a.name USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER atlas_complete_at_commit
    AFTER INSERT OR UPDATE ON atlas
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION atlas_is_complete();
