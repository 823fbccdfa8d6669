-- The voting units of one GPU model (marts.price_units: one per provider x geo, or per marketplace
-- machine, per day; USD per GPU-hour) with the provider's display name and block, for the headlines
-- and the ladder, which apply the reader's as-of date in dashboard.model.prices.
-- $1 gpu_model, $2 price type (NULL: every price type; a page that shows one asks for that one only).
SELECT u.*, coalesce(p.display_name, u.provider) AS provider_name, s.block
FROM marts.price_units u
LEFT JOIN (SELECT provider, any_value(display_name) AS display_name FROM ref.providers GROUP BY provider) p
       ON p.provider = u.provider
LEFT JOIN ref.segments s ON s.segment = u.segment
WHERE u.gpu_model = $1 AND ($2::VARCHAR IS NULL OR u.price_type = $2::VARCHAR)
ORDER BY u.day, u.segment, u.provider;
