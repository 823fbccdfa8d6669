"""Concentration queries: every marts.concentration row, and the entity shares behind one of them."""

from __future__ import annotations

import pandas as pd

from dashboard.data.warehouse import has_table, run


def rows() -> pd.DataFrame:
    """Every marts.concentration row (sql/concentration_rows.sql); an empty frame when the mart is missing.

    Its text columns are shared strings (warehouse.shared_text): the rows are mostly one marketplace's days
    per GPU model, repeating a few dozen texts (7,359 rows, 7 of 8 MB text on a 10M-row warehouse), and the
    pages filter and copy the frame several times a run."""
    if not has_table("marts", "concentration"):
        return pd.DataFrame()
    return run(rows, shared=True)


def shares(market: str, period_label: str, gpu_model: str | None = None) -> pd.DataFrame:
    """The entity shares (percent) of one market, period and GPU model (None for markets not per model),
    largest first, then the unpublished residual."""
    return run(shares, (market, period_label, gpu_model))
