-- Whether a table exists: ? = schema, ? = table name. One row, n = 0 or 1.
SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?
