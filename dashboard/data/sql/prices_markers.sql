-- Reference markers of one GPU model (marts.price_markers): figures kept out of every median and
-- headline (tertiary, dated coarser than a month, not a price), with the reason. $1 gpu_model.
SELECT day, gpu_model, segment, provider, source, price_type, price_type_raw, price, confidence,
       date_precision, excluded_reason, ref_url, note
FROM marts.price_markers
WHERE gpu_model = $1
ORDER BY day, provider;
