-- marts.runs: one row per source run (newest first): status, rows, rejects, error.
CREATE OR REPLACE VIEW marts.runs AS
SELECT run_id, source, mode, started_at, finished_at, status, rows_loaded, rows_rejected, payloads,
       data_as_of, error
FROM meta.runs
ORDER BY finished_at DESC, source;
