-- marts.price_index: one row per day x gpu_model x segment x price_type; USD per GPU-hour
-- (n price points, p25 / median / p75 over marts.gpu_price_panel: every offer seen that day and
-- every list price in force that day, carried forward from its last change).
CREATE OR REPLACE TABLE marts.price_index AS
SELECT
    day,
    gpu_model,
    segment,
    CASE WHEN segment IN ('hyperscaler', 'neocloud') THEN 'centralised' ELSE 'decentralised' END AS block,
    price_type,
    count(*) AS n,
    count(*) FILTER (WHERE carried) AS n_carried,
    count(DISTINCT provider) AS n_providers,
    quantile_cont(price, 0.25) AS p25,
    median(price) AS median,
    quantile_cont(price, 0.75) AS p75,
    string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
FROM marts.gpu_price_panel
GROUP BY ALL
ORDER BY day, gpu_model, segment, price_type;
