-- Records the latest run of each source rejected, with the reason and the record as JSON text.
SELECT * FROM marts.rejects
