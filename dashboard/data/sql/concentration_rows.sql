-- Every marts.concentration row: one per period x market, HHI on the 0-10,000 scale (interval where bounded).
SELECT *
FROM marts.concentration
ORDER BY block, market, period
