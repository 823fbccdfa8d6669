-- marts.freshness: one row per source: its last success, last run and whether it is fresh, stale or
-- never tried. Created with the schema too, because `run --due` and `status` read it before a build.
CREATE OR REPLACE VIEW marts.freshness AS
WITH ok AS (
    SELECT source, max(data_as_of) AS last_ok_at FROM meta.runs WHERE status = 'ok' GROUP BY source
), last AS (
    SELECT source, arg_max(status, finished_at) AS last_status, arg_max(error, finished_at) AS last_error,
           max(finished_at) AS last_run_at
    FROM meta.runs GROUP BY source
)
SELECT s.name AS source, ok.last_ok_at, s.cadence_hours, last.last_run_at, last.last_status, last.last_error,
       -- never: not yet tried; stale: last success older than the cadence, or tried and never succeeded.
       -- Times are UTC throughout (now() is local time in DuckDB, hence AT TIME ZONE).
       CASE WHEN ok.last_ok_at IS NULL AND last.last_run_at IS NULL THEN 'never'
            WHEN ok.last_ok_at IS NULL THEN 'stale'
            WHEN ok.last_ok_at < ((now() AT TIME ZONE 'UTC') - to_hours(s.cadence_hours)) THEN 'stale'
            ELSE 'fresh' END AS status
FROM meta.sources s LEFT JOIN ok ON ok.source = s.name LEFT JOIN last ON last.source = s.name;
