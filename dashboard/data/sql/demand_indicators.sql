-- Demand series: the rows of the indicators in the list ?, one per indicator x entity x period.
-- Where two sources give the same point, a live source wins over the curated seed (all rows of the
-- winning source stay: e.g. two published trends for one period). Units as stored in `unit`.
SELECT period, period_label, indicator, entity, value, value_low, value_high, unit, source, ref_url,
       ref_date, confidence, note
FROM marts.indicators
WHERE list_contains(?::VARCHAR[], indicator) AND period IS NOT NULL AND value IS NOT NULL
QUALIFY dense_rank() OVER (PARTITION BY indicator, entity, period ORDER BY source = 'seed', source) = 1
ORDER BY indicator, entity, period
