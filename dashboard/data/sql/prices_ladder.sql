-- Today's price ladder for one GPU model: each source x provider x price_type at its latest day in the
-- period (marts.price_ladder), kept when that day is within $8 days of the newest day shown (all when
-- $8 is NULL). price is the median of that day's observations, in USD per GPU-hour or per
-- H100-equivalent hour (divided by marts.gpu_h100e.h100e; NULL when unknown).
-- $1 gpu_model, $2 unit ('GPU-hour' | 'H100e-hour'), $3 segment ('all' or one), $4 price_type ('all' or
-- one), $5 region ('all' or one), $6 first day, $7 last day, $8 lookback in days (integer or NULL).
WITH scoped AS (
    SELECT l.*
    FROM marts.price_ladder l
    WHERE l.gpu_model = $1
      AND ($3 = 'all' OR l.segment = $3)
      AND ($4 = 'all' OR l.price_type = $4)
      AND l.region = $5
      AND l.day BETWEEN $6 AND $7
), latest AS (
    SELECT * FROM scoped
    QUALIFY day = max(day) OVER (PARTITION BY source, provider, price_type)
)
SELECT l.day,
       l.gpu_model,
       l.provider,
       l.provider_name,
       l.segment,
       l.block,
       l.price_type,
       l.region,
       l.source,
       l.n_offers,
       l.median / CASE WHEN $2 = 'H100e-hour' THEN h.h100e ELSE 1 END AS price,
       l.p25 / CASE WHEN $2 = 'H100e-hour' THEN h.h100e ELSE 1 END AS p25,
       l.p75 / CASE WHEN $2 = 'H100e-hour' THEN h.h100e ELSE 1 END AS p75,
       l.median AS usd_per_gpu_hour,
       h.h100e,
       $2 AS unit,
       l.ref_url
FROM latest l
LEFT JOIN marts.gpu_h100e h ON h.gpu_model = l.gpu_model
WHERE $8 IS NULL OR l.day >= (SELECT max(day) FROM latest) - CAST($8 AS INTEGER)
ORDER BY price, provider_name;
