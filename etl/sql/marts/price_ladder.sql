-- marts.price_ladder: what each provider charged for each GPU on each day, per source.
-- One row per day x gpu_model x source x provider x price_type x region, plus a pooled row with
-- region = 'all' (GROUPING SETS); USD per GPU-hour: n_offers observations that day (one for a list
-- price, many for a marketplace), their p25 / median / p75 and min. A NULL or blank region is
-- 'unspecified'. The GPU prices page picks each provider's latest day from it (the price ladder).
CREATE OR REPLACE TABLE marts.price_ladder AS
WITH obs AS (
    SELECT CAST(g.observed_at AS DATE) AS day,
           g.gpu_model,
           g.source,
           g.provider,
           coalesce(p.display_name, g.provider) AS provider_name,
           g.segment,
           s.block,
           g.price_type,
           coalesce(nullif(trim(g.region), ''), 'unspecified') AS region,
           g.price_usd_per_gpu_hour AS price,
           g.ref_url
    FROM core.gpu_prices g
    LEFT JOIN (SELECT provider, any_value(display_name) AS display_name FROM ref.providers GROUP BY provider) p
           ON p.provider = g.provider
    LEFT JOIN ref.segments s ON s.segment = g.segment
)
SELECT day,
       gpu_model,
       source,
       provider,
       provider_name,
       segment,
       block,
       price_type,
       coalesce(region, 'all') AS region,
       count(*) AS n_offers,
       quantile_cont(price, 0.25) AS p25,
       median(price) AS median,
       quantile_cont(price, 0.75) AS p75,
       min(price) AS min_price,
       any_value(ref_url) AS ref_url
FROM obs
GROUP BY day, gpu_model, source, provider, provider_name, segment, block, price_type, GROUPING SETS ((region), ())
ORDER BY day, gpu_model, median;
