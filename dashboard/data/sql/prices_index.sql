-- Daily price index of one GPU model per segment (marts.price_index), for one price type, geo and
-- method, in USD per GPU-hour (the page divides by the H100e factor itself).
-- $1 gpu_model, $2 price_type, $3 geo ('all' or a geo group), $4 method, $5 first day, $6 last day.
SELECT i.day, i.gpu_model, i.segment AS series, i.segment, s.block, i.price_type, i.geo, i.method, i.n,
       i.n_providers, i.p25, i.median, i.p75, i.low_confidence, i.reason, i.sources AS source
FROM marts.price_index i
LEFT JOIN ref.segments s ON s.segment = i.segment
WHERE i.gpu_model = $1 AND i.price_type = $2 AND i.geo = $3 AND i.method = $4
  AND i.day BETWEEN $5 AND $6
ORDER BY i.day, i.segment;
