-- marts.rejects: one row per record rejected by each source's latest run, with the reason.
CREATE OR REPLACE VIEW marts.rejects AS
SELECT r.source, r.run_id, r.table_name, r.reason, r.record
FROM meta.rejects r
ORDER BY r.source, r.reason;
