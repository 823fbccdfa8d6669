-- The newest row of each indicator in ? (a list of indicator names): the scenarios' users, compute-cost
-- route figures. Newest = latest period, then the latest source date. Grain: one row per indicator.
SELECT indicator, period, period_label, entity, value, value_low, value_high, unit, source, ref_url, ref_date,
       confidence, note
FROM marts.indicators
WHERE list_contains(?::VARCHAR[], indicator) AND value IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY indicator ORDER BY period DESC, ref_date DESC NULLS LAST) = 1
ORDER BY indicator
