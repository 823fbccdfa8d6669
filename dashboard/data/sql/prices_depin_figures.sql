-- Published figures on decentralised GPU supply and its use (seed indicators), with citations.
SELECT period_label AS period, entity AS network, indicator, value, value_low, value_high, unit, source,
       ref_url, ref_date, confidence, note
FROM marts.indicators
WHERE indicator IN ('depin_gpu_utilisation', 'depin_h100_utilisation', 'depin_gpus_on_network',
                    'depin_active_gpu_nodes', 'depin_verified_gpus')
ORDER BY network, indicator, period;
