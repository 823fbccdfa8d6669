-- The latest value of one indicator (? = indicator; the scenarios use chatgpt_monthly_users).
SELECT period, value, source, ref_url FROM marts.indicators WHERE indicator = ?
AND value IS NOT NULL ORDER BY period DESC LIMIT 1
