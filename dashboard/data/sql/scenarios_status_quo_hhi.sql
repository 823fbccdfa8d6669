-- The newest HHI of the first market in ? (a list of market ids, preferred first) that has one, from
-- marts.concentration, with the share rows' source URLs and grades (marts.market_shares): the conduct of
-- the scenarios. One row at most; HHI in points on the 0-10,000 scale.
WITH pick AS (
    SELECT period, period_label, market, market_label, source, hhi, hhi_low, hhi_high, n_entities
    FROM marts.concentration
    WHERE list_contains(?::VARCHAR[], market) AND hhi IS NOT NULL
    ORDER BY list_position(?::VARCHAR[], market), period DESC
    LIMIT 1
)
SELECT pick.*,
       (SELECT string_agg(DISTINCT s.ref_url, ' ') FROM marts.market_shares s
        WHERE s.market = pick.market AND s.period = pick.period AND NOT coalesce(s.is_residual, false)) AS ref_urls,
       (SELECT string_agg(DISTINCT s.confidence, ', ') FROM marts.market_shares s
        WHERE s.market = pick.market AND s.period = pick.period AND NOT coalesce(s.is_residual, false)) AS grades
FROM pick
