-- Every method's marketplace row of one GPU model, price type and geo (marts.price_index), for the
-- method switch: how much the number moves between cw-<version> and ccir-cri-1.1.1.
-- $1 gpu_model, $2 price_type, $3 geo, $4 last day.
SELECT day, method, segment, geo, n, n_providers, median, p25, p75, low_confidence, reason, sources AS source
FROM marts.price_index
WHERE gpu_model = $1 AND price_type = $2 AND geo = $3 AND segment = 'marketplace' AND day <= $4
ORDER BY day, method;
