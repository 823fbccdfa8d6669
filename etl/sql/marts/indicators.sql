-- marts.indicators: one demand indicator value per period x indicator x entity (units in `unit`),
-- with its citation; where two sources give the same point, both rows stay (source differs).
CREATE OR REPLACE TABLE marts.indicators AS
SELECT period, period_label, indicator, entity, value, value_low, value_high, unit, source,
       ref_url, ref_date, confidence, note
FROM core.indicators
ORDER BY indicator, entity, period;
