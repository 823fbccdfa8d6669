-- Published declines of LLM inference prices at constant capability (? = indicator,
-- llm_inference_price_decline), x per year, with the published range where there is one.
SELECT period, period_label, entity, value, value_low, value_high, unit, source, ref_url, ref_date, confidence
FROM marts.indicators WHERE indicator = ? AND value IS NOT NULL
ORDER BY period DESC, entity
