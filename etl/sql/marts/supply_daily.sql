-- marts.supply_daily: GPUs offered and in use per day x source x network x gpu_model
-- (the last snapshot of each day; GPU counts summed across hosts).
CREATE OR REPLACE TABLE marts.supply_daily AS
WITH last_snap AS (
    SELECT source, CAST(observed_at AS DATE) AS day, max(observed_at) AS observed_at
    FROM core.supply GROUP BY ALL
)
SELECT s.source, l.day, s.network, s.segment, coalesce(s.gpu_model, 'all') AS gpu_model,
       sum(s.gpus_total) AS gpus_total, sum(s.gpus_in_use) AS gpus_in_use,
       sum(s.gpus_in_use) / nullif(sum(s.gpus_total), 0) AS utilisation,
       count(DISTINCT s.host_id) AS n_hosts
FROM core.supply s JOIN last_snap l ON l.source = s.source AND l.observed_at = s.observed_at
GROUP BY ALL
ORDER BY l.day, s.source, gpu_model;
