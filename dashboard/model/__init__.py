"""Pure dashboard logic (no DuckDB, no Streamlit): one module per topic, plus the pass-through model."""
