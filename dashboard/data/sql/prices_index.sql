-- Daily price index of one GPU model: p25 / median / p75 per block (centralised vs decentralised), or
-- per segment, from marts.price_index_groups; in USD per GPU-hour, or per H100-equivalent hour
-- (divided by marts.gpu_h100e.h100e; NULL when the model has no dense FP16 figure).
-- $1 gpu_model, $2 unit ('GPU-hour' | 'H100e-hour'), $3 segment ('all' or one), $4 split by segment
-- (boolean; only when $3 = 'all'), $5 price_type ('all' or one), $6 region ('all' or one),
-- $7 first day, $8 last day.
SELECT i.day,
       i.gpu_model,
       CASE WHEN $3 = 'all' AND NOT $4 THEN i.block ELSE i.segment END AS series,
       i.block,
       i.segment,
       i.price_type,
       i.region,
       i.n,
       i.n_carried,
       i.n_providers,
       i.p25 / CASE WHEN $2 = 'H100e-hour' THEN h.h100e ELSE 1 END AS p25,
       i.median / CASE WHEN $2 = 'H100e-hour' THEN h.h100e ELSE 1 END AS median,
       i.p75 / CASE WHEN $2 = 'H100e-hour' THEN h.h100e ELSE 1 END AS p75,
       $2 AS unit,
       h.h100e,
       i.sources AS source
FROM marts.price_index_groups i
LEFT JOIN marts.gpu_h100e h ON h.gpu_model = i.gpu_model
WHERE i.gpu_model = $1
  AND i.price_type = $5
  AND i.region = $6
  AND i.day BETWEEN $7 AND $8
  AND CASE WHEN $3 <> 'all' THEN i.segment = $3
           WHEN $4 THEN i.segment <> 'all'
           ELSE i.segment = 'all' END
ORDER BY i.day, series;
