-- Training compute of notable AI models (Epoch AI): one row per model with a compute estimate,
-- published on or after ? (ISO date), in domain ? ('all' = every domain; else the domain list contains it).
-- flop = total training compute in FLOP; frontier = Epoch's flag (top 10 by compute when released).
WITH models AS (
    SELECT period, entity, value, ref_url, source,
           CASE WHEN json_valid(note) THEN note END AS meta
    FROM marts.indicators
    WHERE indicator = 'training_compute_flop' AND value > 0 AND period >= CAST(? AS DATE)
)
SELECT period, entity AS model, value AS flop,
       json_extract_string(meta, '$.organization') AS organization,
       json_extract_string(meta, '$.country') AS country,
       coalesce(TRY_CAST(json_extract_string(meta, '$.frontier') AS BOOLEAN), false) AS frontier,
       json_extract_string(meta, '$.domain') AS domain,
       json_extract_string(meta, '$.confidence') AS estimate_confidence,
       ref_url, source
FROM models
WHERE CAST(? AS VARCHAR) = 'all' OR contains(coalesce(json_extract_string(meta, '$.domain'), ''), CAST(? AS VARCHAR))
ORDER BY period, model
