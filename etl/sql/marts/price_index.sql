-- marts.price_index: one row per day x gpu_model x segment x price_type; USD per GPU-hour
-- (n observations, p25 / median / p75 across every offer and list price seen that day).
CREATE OR REPLACE TABLE marts.price_index AS
SELECT
    CAST(observed_at AS DATE) AS day,
    gpu_model,
    segment,
    CASE WHEN segment IN ('hyperscaler', 'neocloud') THEN 'centralised' ELSE 'decentralised' END AS block,
    price_type,
    count(*) AS n,
    count(DISTINCT provider) AS n_providers,
    quantile_cont(price_usd_per_gpu_hour, 0.25) AS p25,
    median(price_usd_per_gpu_hour) AS median,
    quantile_cont(price_usd_per_gpu_hour, 0.75) AS p75,
    string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
FROM core.gpu_prices
GROUP BY ALL
ORDER BY day, gpu_model, segment, price_type;
