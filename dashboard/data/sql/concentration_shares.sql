-- The entity shares (percent) behind one marts.concentration row: ? = market, ? = period_label,
-- ? = gpu_model (NULL for markets not defined per GPU model).
-- Listed entities largest first, then the unpublished residual.
SELECT *
FROM marts.concentration_shares
WHERE market = ? AND period_label = ? AND gpu_model IS NOT DISTINCT FROM ?
ORDER BY is_residual, share_pct DESC, entity
