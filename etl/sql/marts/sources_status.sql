-- marts.sources_status: one row per source: provenance, freshness and its latest run.
CREATE OR REPLACE VIEW marts.sources_status AS
WITH last_run AS (
    SELECT source, arg_max(run_id, finished_at) AS run_id, arg_max(rows_loaded, finished_at) AS rows_loaded,
           arg_max(rows_rejected, finished_at) AS rows_rejected, arg_max(mode, finished_at) AS mode
    FROM meta.runs GROUP BY source
)
SELECT s.name AS source, s.title, s.producer, s.segment, s.licence, s.licence_url, s.citation, s.url,
       s.cadence_hours, f.status, f.last_ok_at, f.last_run_at, f.last_status, f.last_error,
       r.rows_loaded, r.rows_rejected, r.mode AS last_mode, r.run_id AS last_run_id, s.description
FROM meta.sources s
LEFT JOIN marts.freshness f ON f.source = s.name
LEFT JOIN last_run r ON r.source = s.name
ORDER BY s.name;
