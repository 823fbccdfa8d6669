-- marts.supply_daily: GPUs offered and in use per day x source x network x gpu_model (last snapshot
-- of each day). Network totals (rows without host_id) are used where a source publishes them;
-- otherwise GPU counts are summed over hosts (e.g. Vast.ai offers). `basis` says which. Built per day
-- (etl/marts/state.py): only changed days are recomputed, the whole table when the sources with totals change.
-- version: SELECT DISTINCT source FROM core.supply WHERE host_id IS NULL
CREATE OR REPLACE TABLE marts.supply_daily AS
WITH with_totals AS (
    SELECT DISTINCT source FROM core.supply WHERE host_id IS NULL
), rows AS (
    SELECT *, host_id IS NULL AS is_total FROM core.supply /* per day */
    WHERE host_id IS NULL OR source NOT IN (SELECT source FROM with_totals)
), last_snap AS (
    SELECT source, CAST(observed_at AS DATE) AS day, max(observed_at) AS observed_at FROM rows GROUP BY ALL
)
SELECT r.source, l.day, r.network, r.segment, coalesce(r.gpu_model, 'all') AS gpu_model,
       sum(r.gpus_total) AS gpus_total, sum(r.gpus_in_use) AS gpus_in_use,
       sum(r.gpus_in_use) / nullif(sum(r.gpus_total), 0) AS utilisation,
       count(DISTINCT r.host_id) AS n_hosts,
       CASE WHEN bool_and(r.is_total) THEN 'network total' ELSE 'sum over hosts' END AS basis
FROM rows r JOIN last_snap l ON l.source = r.source AND l.observed_at = r.observed_at
GROUP BY ALL
ORDER BY l.day, r.source, gpu_model;
