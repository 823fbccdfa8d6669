-- marts.price_index: one row per day x gpu_model x segment x price_type; USD per GPU-hour
-- (n price points, p25 / median / p75 over marts.gpu_price_panel: every offer seen that day and
-- every list price in force that day, carried forward from its last change). A view of the
-- marts.price_index_groups rows pooled over regions, for one segment and one price type.
CREATE OR REPLACE VIEW marts.price_index AS
SELECT day, gpu_model, segment, block, price_type, n, n_carried, n_providers, p25, median, p75, sources
FROM marts.price_index_groups
WHERE region = 'all' AND segment <> 'all' AND price_type <> 'all'
ORDER BY day, gpu_model, segment, price_type;
