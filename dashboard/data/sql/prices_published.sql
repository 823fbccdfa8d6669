-- Published price indices of one GPU model (marts.published_price_index: CCIR CRI, GPU Price Index),
-- with the segment, geo and price type each series measures and its publisher's method sentence.
-- $1 gpu_model.
SELECT day, publisher, entity, gpu_model, segment, geo, price_type, value, unit, source, method_sentence,
       ref_url, note
FROM marts.published_price_index
WHERE gpu_model = $1
ORDER BY publisher, entity, day;
