-- marts.gpu_price_panel: the price points a daily index is computed over; USD per GPU-hour.
-- One row per observed price (every offer / list price seen that day), plus, for sources that record
-- list prices when they change (meta.sources.prices_persist, e.g. cloud-gpus.github.io's history),
-- each series' (source x provider x gpu_model x price_type x region) last daily median carried
-- forward to the days it was not observed (carried = TRUE): without that, a day's "median" would be
-- whichever provider happened to change its price that day. Snapshot sources (marketplace offers,
-- catalogues) are never carried: an offer missing from a snapshot is gone. A price is carried for at
-- most 365 days and never past its source's latest observation.
CREATE OR REPLACE TABLE marts.gpu_price_panel AS
WITH obs AS (
    SELECT CAST(observed_at AS DATE) AS day, source, provider, segment, gpu_model, price_type,
           coalesce(nullif(trim(region), ''), 'unspecified') AS region, price_usd_per_gpu_hour AS price
    FROM core.gpu_prices
), daily AS (
    SELECT source, provider, segment, gpu_model, price_type, region, day, median(price) AS price
    FROM obs GROUP BY ALL
), source_end AS (
    SELECT source, max(day) AS end_day FROM obs
    WHERE source IN (SELECT name FROM meta.sources WHERE prices_persist)
    GROUP BY source
), spans AS (
    SELECT d.source, provider, segment, gpu_model, price_type, region, min(day) AS first_day,
           least(max(day) + 365, any_value(e.end_day)) AS last_day
    FROM daily d JOIN source_end e ON e.source = d.source
    GROUP BY ALL
), calendar AS (
    SELECT source, provider, segment, gpu_model, price_type, region,
           CAST(unnest(generate_series(first_day, last_day, INTERVAL 1 DAY)) AS DATE) AS day
    FROM spans
), carried AS (
    SELECT c.day, c.source, c.provider, c.segment, c.gpu_model, c.price_type, c.region, d.price,
           d.day AS from_day
    FROM calendar c
    ASOF JOIN daily d
      ON d.source = c.source AND d.provider = c.provider AND d.segment = c.segment
     AND d.gpu_model = c.gpu_model AND d.price_type = c.price_type AND d.region = c.region
     AND d.day <= c.day
)
SELECT day, source, provider, segment, gpu_model, price_type, region, price, FALSE AS carried
FROM obs
UNION ALL
SELECT day, source, provider, segment, gpu_model, price_type, region, price, TRUE
FROM carried
WHERE from_day < day AND day - from_day <= 365;
