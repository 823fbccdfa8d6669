"""Demand queries: indicator rows, the explorer's catalogue of series, Epoch's notable models."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.data.warehouse import run
from dashboard.model.demand import CAPEX_INDICATORS, FIT_SINCE, NOT_SERIES, PUBLISHED_GROWTH


def indicators(names: Iterable[str]) -> pd.DataFrame:
    """The rows of the indicators `names`, a live source winning over the seed (sql/demand_indicators.sql)."""
    return run(indicators, (list(names),))


def catalogue(min_points: int = 2) -> pd.DataFrame:
    """One row per indicator x entity with at least `min_points` dated points (sql/demand_catalogue.sql)."""
    return run(catalogue, (list(NOT_SERIES), min_points))


def training_compute(since: str = FIT_SINCE, domain: str = "all") -> pd.DataFrame:
    """Epoch's notable models with a compute estimate, published since `since` (ISO date), in `domain`
    ('all' or one of model.demand.DOMAINS) (sql/demand_training_compute.sql)."""
    return run(training_compute, (since, domain, domain))


def capex() -> pd.DataFrame:
    """The hyperscaler capex rows behind the Big-4 figures (model.demand.CAPEX_INDICATORS)."""
    return indicators(CAPEX_INDICATORS)


def published_growth() -> pd.DataFrame:
    """Epoch AI's published training-compute growth rates (curated rows)."""
    return indicators([PUBLISHED_GROWTH])
