"""The only modules that read the warehouse (DuckDB): one per topic, each query a file in data/sql/."""
