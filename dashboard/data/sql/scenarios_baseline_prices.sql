-- Baseline GPU price of the scenarios: per segment, the latest daily median of one GPU model (? =
-- gpu_model) in marts.price_index, preferring on-demand, then reserved, then contract prices that day.
SELECT segment, day, price_type, median, n, sources FROM marts.price_index
WHERE gpu_model = ? AND median IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY segment ORDER BY day DESC,
    CASE price_type WHEN 'on_demand' THEN 0 WHEN 'reserved' THEN 1 WHEN 'contract' THEN 2 ELSE 3 END) = 1
ORDER BY segment
