"""TEMPORARY alias for tests/test_marts_prices.py only (owned by another helper): delete with dashboard/sql.

That test imports this module and reads dashboard/sql/prices_*.sql; the code moved to
dashboard.model.prices and dashboard/data/sql. When the test imports dashboard.model.prices (its
block_stats now returns BlockStats, read by attribute) and reads dashboard/data/sql, remove this file
and the dashboard/sql symlink.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from dashboard.model import prices as _prices
from dashboard.model.prices import trim_ladder

__all__ = ["block_stats", "ratio", "trim_ladder"]


def block_stats(frame: pd.DataFrame) -> dict[str, dict]:
    return {block: asdict(stats) for block, stats in _prices.block_stats(frame).items()}


def ratio(stats: dict[str, dict]) -> float | None:
    return _prices.ratio({block: _prices.BlockStats(**values) for block, values in stats.items()})
