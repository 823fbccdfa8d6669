-- Per provider, every source that reports its GPU prices (marts.provider_sources): the source's kind
-- and precedence rank, cells (day x GPU x price type) seen and won by the precedence, first and last
-- day, and whether it supplies the provider's newest price. No parameters.
SELECT ps.provider, coalesce(p.display_name, ps.provider) AS provider_name, ps.segment, ps.source, ps.kind,
       ps.rank, ps.cells_seen, ps.cells_won, ps.first_day, ps.last_day, ps.used, ps.used_latest
FROM marts.provider_sources ps
LEFT JOIN (SELECT provider, any_value(display_name) AS display_name FROM ref.providers GROUP BY provider) p
       ON p.provider = ps.provider
ORDER BY ps.segment, provider_name, ps.rank, ps.source;
