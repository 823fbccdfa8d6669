-- The curated (seed) figures the dashboard ships with, each with its source URL, date and confidence:
-- indicators, published market shares (without the computed residual) and list prices.
SELECT 'indicators' AS kind, period_label AS period, indicator AS series, entity, value, unit,
       ref_url, ref_date, confidence, note FROM marts.indicators WHERE source = 'seed'
UNION ALL
SELECT 'market_shares', period_label, market, entity, share_pct, '%', ref_url, ref_date, confidence, note
FROM marts.market_shares WHERE source = 'seed' AND NOT is_residual
UNION ALL
SELECT 'gpu_prices', strftime(day, '%Y-%m-%d'), gpu_model, provider, price_usd_per_gpu_hour,
       'USD per GPU-hour', ref_url, ref_date, confidence, note
FROM marts.gpu_prices_daily WHERE source = 'seed'
