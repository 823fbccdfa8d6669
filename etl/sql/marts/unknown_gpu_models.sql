-- marts.unknown_gpu_models: GPU names no alias in data/seed/gpu_models.csv covers, kept as given,
-- with where they were seen (one row per source x name).
CREATE OR REPLACE TABLE marts.unknown_gpu_models AS
SELECT source, gpu_model AS name, 'gpu_prices' AS seen_in, count(*) AS rows, max(observed_at) AS last_seen
FROM core.gpu_prices
WHERE gpu_model NOT IN (SELECT gpu_model FROM ref.gpu_models)
GROUP BY ALL
UNION ALL
SELECT source, gpu_model, 'supply', count(*), max(observed_at)
FROM core.supply
WHERE gpu_model IS NOT NULL AND gpu_model NOT IN (SELECT gpu_model FROM ref.gpu_models)
GROUP BY ALL
ORDER BY rows DESC;
