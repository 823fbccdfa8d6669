"""Concentration queries: every marts.concentration row, and the entity shares behind one of them."""

from __future__ import annotations

import pandas as pd

from dashboard.data.warehouse import has_table, run


def rows() -> pd.DataFrame:
    """Every marts.concentration row (sql/concentration_rows.sql); an empty frame when the mart is missing."""
    if not has_table("marts", "concentration"):
        return pd.DataFrame()
    return run(rows)


def shares(market: str, period_label: str) -> pd.DataFrame:
    """The entity shares (percent) of one market and period, largest first, then the unpublished residual."""
    return run(shares, (market, period_label))
