-- Filter choices for the GPU prices page: one row per (kind, value) with how many rows back it.
-- kind: gpu_model (by observations behind the voting units of marts.price_units), price_type; plus
-- 'day' rows giving the first and last day with prices or supply (value = ISO date). No parameters.
SELECT 'gpu_model' AS kind, gpu_model AS value, sum(n_offers) AS n FROM marts.price_units GROUP BY gpu_model
UNION ALL
SELECT 'price_type', price_type, sum(n_offers) FROM marts.price_units GROUP BY price_type
UNION ALL
SELECT 'day', strftime(min(day), '%Y-%m-%d'), 0 FROM (
    SELECT day FROM marts.price_units UNION ALL SELECT day FROM marts.supply_daily) HAVING count(*) > 0
UNION ALL
SELECT 'day', strftime(max(day), '%Y-%m-%d'), 1 FROM (
    SELECT day FROM marts.price_units UNION ALL SELECT day FROM marts.supply_daily) HAVING count(*) > 0
ORDER BY kind, n DESC, value;
