-- Every marts.concentration row: one per period x market, HHI on the 0-10,000 scale (interval where bounded).
-- Without the two entity lists (listed_set, trend_set: the names behind each row, up to 8 kB of text
-- a row), which no page shows and which were most of the frame: 12 of 20 MB on a 10M-row warehouse.
SELECT COLUMNS(lambda c: c NOT IN ('listed_set', 'trend_set'))  -- not EXCLUDE: an older file may lack them
FROM marts.concentration
ORDER BY block, market, period
