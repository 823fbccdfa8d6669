-- marts.price_index_groups: the daily price index at every level the GPU prices page filters on.
-- One row per day x gpu_model x block x segment x price_type x region, where segment, price_type and
-- region may each be 'all' (pooled over every value: GROUP BY CUBE). USD per GPU-hour: n price points,
-- p25 / median / p75 across marts.gpu_price_panel (every offer seen that day and every list price in
-- force that day, carried forward since its last change). marts.price_index is a view of its
-- region = 'all' rows with a segment and a price_type.
-- block: centralised or decentralised, from ref.segments; a NULL or blank region is 'unspecified'.
CREATE OR REPLACE TABLE marts.price_index_groups AS
WITH obs AS (
    SELECT day,
           gpu_model,
           s.block,
           segment,
           price_type,
           region,
           provider,
           source,
           price,
           carried
    FROM marts.gpu_price_panel
    LEFT JOIN ref.segments s USING (segment)
)
SELECT day,
       gpu_model,
       block,
       coalesce(segment, 'all') AS segment,
       coalesce(price_type, 'all') AS price_type,
       coalesce(region, 'all') AS region,
       count(*) AS n,
       count(*) FILTER (WHERE carried) AS n_carried,
       count(DISTINCT provider) AS n_providers,
       quantile_cont(price, 0.25) AS p25,
       median(price) AS median,
       quantile_cont(price, 0.75) AS p75,
       string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
FROM obs
GROUP BY day, gpu_model, block, CUBE (segment, price_type, region)
ORDER BY day, gpu_model, block, segment, price_type, region;
