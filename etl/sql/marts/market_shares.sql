-- marts.market_shares: one entity's share (percent) of one market in one period, plus an explicit
-- "Others (unpublished)" residual where the published shares sum to less than 100%.
CREATE OR REPLACE TABLE marts.market_shares AS
WITH published AS (
    SELECT period, period_label, market, entity, share_pct, share_low_pct, share_high_pct, basis, value, unit,
           coverage, source, ref_url, ref_date, confidence, note, FALSE AS is_residual
    FROM core.market_shares
), residual AS (
    SELECT period, any_value(period_label), market, 'Others (unpublished)', 100 - sum(share_pct), NULL, NULL,
           any_value(basis), NULL, NULL, any_value(coverage), source, NULL, max(ref_date), NULL,
           'residual: 100% minus the published shares', TRUE
    FROM published GROUP BY period, market, source
    HAVING sum(share_pct) < 99.5
)
SELECT * FROM published UNION ALL SELECT * FROM residual
ORDER BY market, period, is_residual, share_pct DESC;
