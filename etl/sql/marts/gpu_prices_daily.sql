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
    -- min, not any_value: the same rows give the same mart, however the days are built
    min(ref_url) AS ref_url, min(ref_date) AS ref_date, min(confidence) AS confidence, min(note) AS note
FROM core.gpu_prices /* per day */
LEFT JOIN ref.segments s USING (segment)
GROUP BY ALL
ORDER BY day, gpu_model, provider;
