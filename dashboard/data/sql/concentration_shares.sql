-- The entity shares (percent) behind one marts.concentration row: ? = market, ? = period_label.
-- Listed entities largest first, then the unpublished residual.
SELECT *
FROM marts.concentration_shares
WHERE market = ? AND period_label = ?
ORDER BY is_residual, share_pct DESC, entity
