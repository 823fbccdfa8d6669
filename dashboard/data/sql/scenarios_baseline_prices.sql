-- Baseline GPU price of the scenarios: per segment, the newest daily median of one GPU model (? = gpu_model)
-- by one price method (? = method, cw-1.0.0), over all regions (? = geo, 'all') and one price type
-- (? = price_type, on_demand), from marts.price_index (docs/METHODOLOGY.md §3.8). The newest row not flagged
-- low_confidence wins; a segment with only flagged rows gives its newest, still flagged.
-- Grain: one row per segment; USD per GPU-hour.
SELECT segment, day, median, p25, p75, n, n_providers, coalesce(low_confidence, false) AS low_confidence
FROM marts.price_index
WHERE gpu_model = ? AND method = ? AND geo = ? AND price_type = ? AND median IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY segment ORDER BY coalesce(low_confidence, false), day DESC) = 1
ORDER BY segment
