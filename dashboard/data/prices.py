"""GPU price queries: filter choices, daily index, latest-price ladder, decentralised supply, published figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.data.warehouse import run
from dashboard.model.prices import DEFAULT_MODEL


@dataclass(frozen=True)
class Options:
    models: list[str]  # most observed first
    price_types: list[str]  # 'all' first
    regions: list[str]  # 'all' first
    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def default_model(self) -> str | None:
        if DEFAULT_MODEL in self.models:
            return DEFAULT_MODEL
        return self.models[0] if self.models else None


def options() -> Options:
    """The GPU models, price types, regions and first/last day with prices (sql/prices_options.sql)."""
    frame = run(options)
    by_kind = {kind: part["value"].tolist() for kind, part in frame.groupby("kind", sort=False)}
    days = frame[frame["kind"] == "day"].sort_values("n")["value"].tolist()
    return Options(
        models=by_kind.get("gpu_model", []),
        price_types=["all", *sorted(by_kind.get("price_type", []))],
        regions=["all", *sorted(by_kind.get("region", []), key=lambda r: (r == "unspecified", r.lower()))],
        first_day=dt.date.fromisoformat(days[0]) if days else None,
        last_day=dt.date.fromisoformat(days[-1]) if days else None,
    )


def index(model: str, *, unit: str = "GPU-hour", segment: str = "all", split: bool = False,
          price_type: str = "all", region: str = "all", start: dt.date, end: dt.date) -> pd.DataFrame:
    """Daily p25 / median / p75 per block (or per segment) of one GPU model (sql/prices_index.sql)."""
    frame = run(index, (model, unit, segment, bool(split), price_type, region, start, end))
    return frame.dropna(subset=["median"])


def ladder(model: str, *, unit: str = "GPU-hour", segment: str = "all", price_type: str = "all",
           region: str = "all", start: dt.date, end: dt.date, lookback_days: int | None = 365) -> pd.DataFrame:
    """Each source x provider x price type's latest price in the period (within the lookback), cheapest
    first (sql/prices_ladder.sql)."""
    frame = run(ladder, (model, unit, segment, price_type, region, start, end, lookback_days))
    return frame.dropna(subset=["price"]).reset_index(drop=True)


def supply(model: str, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """GPUs offered and in use per day x network, for one model or 'all' (sql/prices_supply.sql)."""
    return run(supply, (model, start, end))


def depin_figures() -> pd.DataFrame:
    """Published figures on decentralised supply and its use, with citations (sql/prices_depin_figures.sql)."""
    return run(depin_figures)


def headline_ladder(gpu_model: str = DEFAULT_MODEL, unit: str = "GPU-hour",
                    lookback_days: int | None = 365) -> pd.DataFrame | None:
    """The ladder behind Overview's price headline: the prices page's defaults (full period, every
    segment, price type and region); None when the warehouse has no prices of `gpu_model`."""
    opts = options()
    if opts.first_day is None or gpu_model not in opts.models:
        return None
    return ladder(gpu_model, unit=unit, start=opts.first_day, end=opts.last_day, lookback_days=lookback_days)
