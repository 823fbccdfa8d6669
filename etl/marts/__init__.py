"""Marts that need Python (formulas from etl.concentration); each module has build(con)."""
