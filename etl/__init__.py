"""ComputeWatch ETL: gather public GPU price, supply, share and demand data into DuckDB."""
