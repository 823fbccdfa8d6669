-- Run history of the sources, newest first as the mart orders it (at most 500 runs).
SELECT * FROM marts.runs LIMIT 500
