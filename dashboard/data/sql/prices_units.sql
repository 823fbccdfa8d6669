-- The voting units of one GPU model (marts.price_units: one per provider x geo, or per marketplace
-- machine, per day; USD per GPU-hour) with the provider's display name and block, for the headlines
-- and the ladder (dashboard.model.prices applies the reader's as-of date, region and segment).
-- $1 gpu_model, $2 price type (NULL: every price type; a page that shows one asks for that one only),
-- $3 as-of date (NULL: every day and outliers too). With a date, only the rows the headlines and the
-- ladder can use: non-outliers on or before it, on each provider's newest day per segment and geo.
-- Both take, after the region filter, each provider's newest day (docs/METHODOLOGY.md §3.5): for one
-- geo that is this geo's newest day; for every region it is the newest of these, so its rows are here
-- too. A 10M-row warehouse holds about 116,000 H100 on-demand units; this hands over about a thousand.
WITH u AS (  -- filtered and windowed before the joins, which would otherwise carry every row
    SELECT *
    FROM marts.price_units
    WHERE gpu_model = $1 AND ($2::VARCHAR IS NULL OR price_type = $2::VARCHAR)
      AND ($3::DATE IS NULL OR (day <= $3::DATE AND NOT outlier))
    QUALIFY $3::DATE IS NULL OR day = max(day) OVER (PARTITION BY price_type, segment, provider, geo)
)
SELECT u.*, coalesce(p.display_name, u.provider) AS provider_name, s.block
FROM u
LEFT JOIN (SELECT provider, any_value(display_name) AS display_name FROM ref.providers GROUP BY provider) p
       ON p.provider = u.provider
LEFT JOIN ref.segments s ON s.segment = u.segment
ORDER BY u.day, u.segment, u.provider;
