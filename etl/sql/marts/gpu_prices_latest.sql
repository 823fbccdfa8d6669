-- marts.gpu_prices_latest: the latest day's price per source x provider x gpu_model x price_type x region;
-- USD per GPU-hour (median over that day's observations).
CREATE OR REPLACE TABLE marts.gpu_prices_latest AS
SELECT d.* RENAME (day AS observed_on)
FROM marts.gpu_prices_daily d
QUALIFY d.day = max(d.day) OVER (PARTITION BY d.source, d.provider, d.gpu_model, d.price_type, d.region)
ORDER BY gpu_model, price_usd_per_gpu_hour;
