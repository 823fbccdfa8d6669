-- marts.gpu_prices_daily: one row per day x source x provider x gpu_model x price_type x region;
-- USD per GPU-hour: median and min over that day's observations (many offers for marketplaces);
-- block (centralised / decentralised) from ref.segments. Built per day (etl/marts/state.py): only the
-- days whose rows changed are recomputed, the whole table when ref.segments changes.
-- version: SELECT * FROM ref.segments
CREATE OR REPLACE TABLE marts.gpu_prices_daily AS
SELECT
    CAST(observed_at AS DATE) AS day, source, provider, segment, s.block,
    gpu_model, price_type, coalesce(region, '') AS region,
    count(*) AS n_offers,
    median(price_usd_per_gpu_hour) AS price_usd_per_gpu_hour,
    min(price_usd_per_gpu_hour) AS min_usd_per_gpu_hour,
    -- the first non-null value in table order (what any_value picks on one thread), so that the same
    -- rows give the same mart however the days are built
    arg_min(p.ref_url, p.rowid) FILTER (WHERE p.ref_url IS NOT NULL) AS ref_url,
    arg_min(p.ref_date, p.rowid) FILTER (WHERE p.ref_date IS NOT NULL) AS ref_date,
    arg_min(p.confidence, p.rowid) FILTER (WHERE p.confidence IS NOT NULL) AS confidence,
    arg_min(p.note, p.rowid) FILTER (WHERE p.note IS NOT NULL) AS note
FROM core.gpu_prices /* per day */ p
LEFT JOIN ref.segments s USING (segment)
GROUP BY ALL
ORDER BY day, gpu_model, provider;
