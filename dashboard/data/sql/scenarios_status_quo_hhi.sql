-- Status-quo concentration of the scenarios: the latest cloud-infrastructure HHI row, preferring the
-- market ? (Synergy's worldwide series) over any other cloud_infrastructure* market.
SELECT period, market, market_label, source, hhi, hhi_low, hhi_high FROM marts.concentration
WHERE market LIKE 'cloud_infrastructure%' AND hhi IS NOT NULL
ORDER BY market = ? DESC, period DESC LIMIT 1
