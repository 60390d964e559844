-- 0008: a notice on every committed change to what the HTTP API reads, so `dtb serve` can keep
-- whole responses (and the tokens it has checked) in memory and drop them the moment the data
-- under them changes.
--
-- A statement-level trigger sends NOTIFY data_changed with {"table": …}; PostgreSQL delivers it at
-- commit (never for a rolled-back write) and folds a transaction's identical notices into one, so a
-- COPY of a million rows costs one notice. The job table is left out: jobs change with every lease
-- heartbeat, and the server reads them afresh on each request. A table added by a later migration
-- that the API reads must get the same trigger.

CREATE FUNCTION notify_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('data_changed', json_build_object('table', TG_TABLE_NAME)::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION notify_data_changed() IS
    'Sends NOTIFY data_changed {"table": name} after a statement that changed the table (delivered at commit): dtb serve drops its cached responses, or for api_token its checked tokens.';

DO $$
DECLARE
    watched text;
BEGIN
    FOREACH watched IN ARRAY ARRAY[
        'data_file', 'atlas', 'atlas_source_file', 'atlas_grid', 'atlas_structure', 'region', 'region_network', 'region_grid',
        'pipeline', 'subject', 'session', 'scan', 'measure', 'regional_value', 'connectome_edge', 'task_event', 'dwi_gradient',
        'twin', 'twin_version', 'twin_version_input', 'twin_version_file', 'twin_run', 'assimilation', 'validation',
        'study', 'study_arm', 'study_run', 'study_effect', 'api_token']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION notify_data_changed()', watched || '_changed', watched);
    END LOOP;
END
$$;
