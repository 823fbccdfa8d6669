-- GPUs offered and in use per day x network (summed over GPU models, or one model), from
-- marts.supply_daily (each source's last snapshot of the day). utilisation = in use / offered.
-- $1 gpu_model ('all' sums every model), $2 first day, $3 last day.
SELECT day,
       source,
       network,
       segment,
       sum(gpus_total) AS gpus_total,
       sum(gpus_in_use) AS gpus_in_use,
       sum(gpus_in_use) / nullif(sum(gpus_total), 0) AS utilisation,
       sum(n_hosts) AS n_hosts
FROM marts.supply_daily
WHERE ($1 = 'all' OR gpu_model = $1)
  AND day BETWEEN $2 AND $3
GROUP BY ALL
ORDER BY day, network;
