-- Baseline GPU price of the scenarios: per segment, the latest daily on-demand median of one GPU model
-- (? = gpu_model) in marts.price_index, method cw-1.0.0, all regions (the price method keeps tertiary
-- and coarse-dated figures out of every row; docs/METHODOLOGY.md §3).
SELECT segment, day, price_type, median, n, sources FROM marts.price_index
WHERE gpu_model = ? AND median IS NOT NULL AND method = 'cw-1.0.0' AND geo = 'all' AND price_type = 'on_demand'
QUALIFY row_number() OVER (PARTITION BY segment ORDER BY day DESC) = 1
ORDER BY segment
