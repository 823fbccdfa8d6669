-- The id of the published warehouse snapshot (one row, or none for an unpublished build).
SELECT id FROM meta.snapshot
