-- Demand explorer catalogue: one row per indicator x entity that is a time series, i.e. has at least
-- ? distinct dated points; indicators in the list ? are not series of one thing (one point per model,
-- per-model snapshots) and are left out. Grain: indicator x entity. Units as stored (one per indicator).
SELECT indicator, entity, any_value(unit) AS unit, count(DISTINCT period) AS points,
       min(period) AS first, max(period) AS last, string_agg(DISTINCT source, ', ') AS sources
FROM marts.indicators
WHERE period IS NOT NULL AND value IS NOT NULL AND NOT list_contains(?::VARCHAR[], indicator)
GROUP BY indicator, entity
HAVING count(DISTINCT period) >= ?
ORDER BY indicator, entity
