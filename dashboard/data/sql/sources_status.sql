-- Every registered source's provenance (title, producer, licence, citation), cadence and freshness.
SELECT * FROM marts.sources_status
