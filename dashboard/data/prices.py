"""GPU price queries: filter choices, voting units, index rows per method, reference markers, published indices, supply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.data.warehouse import run
from dashboard.model.prices import DEFAULT_MODEL, PRICE_TYPE_ORDER


@dataclass(frozen=True)
class Options:
    models: list[str]  # most observed first
    price_types: list[str]  # on_demand first
    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def default_model(self) -> str | None:
        if DEFAULT_MODEL in self.models:
            return DEFAULT_MODEL
        return self.models[0] if self.models else None


def options() -> Options:
    """The GPU models, price types and first/last day with prices (sql/prices_options.sql)."""
    frame = run(options)
    by_kind = {kind: part["value"].tolist() for kind, part in frame.groupby("kind", sort=False)}
    days = frame[frame["kind"] == "day"].sort_values("n")["value"].tolist()
    types = by_kind.get("price_type", [])
    return Options(
        models=by_kind.get("gpu_model", []),
        price_types=sorted(types, key=lambda t: (PRICE_TYPE_ORDER.index(t) if t in PRICE_TYPE_ORDER else 99, t)),
        first_day=dt.date.fromisoformat(days[0]) if days else None,
        last_day=dt.date.fromisoformat(days[-1]) if days else None,
    )


def units(model: str, price_type: str | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """Voting units of one GPU model, of one price type or all (sql/prices_units.sql): every day and geo,
    or with `as_of` only the rows that the headlines and the ladder as of that date can use."""
    frame = run(units, (model, price_type, as_of))
    for column in ("day", "price_since"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def index(model: str, *, price_type: str = "on_demand", geo: str = "all", method: str, start: dt.date,
          end: dt.date) -> pd.DataFrame:
    """Daily p25 / median / p75 per segment of one GPU model for one method (sql/prices_index.sql)."""
    return run(index, (model, price_type, geo, method, start, end)).dropna(subset=["median"])


def methods(model: str, *, price_type: str = "on_demand", geo: str = "US", end: dt.date) -> pd.DataFrame:
    """Marketplace rows of every method up to `end`, for the method switch (sql/prices_methods.sql)."""
    return run(methods, (model, price_type, geo, end))


def markers(model: str) -> pd.DataFrame:
    """Figures kept out of every median, with the reason (sql/prices_markers.sql)."""
    return run(markers, (model,))


def published(model: str) -> pd.DataFrame:
    """Published indices of one GPU model with their method sentences (sql/prices_published.sql)."""
    return run(published, (model,))


def h100e(model: str) -> tuple[float | None, float | None]:
    """(h100e, memory-aware h100e) of one GPU model, (None, None) without a compute figure (sql/prices_h100e.sql)."""
    frame = run(h100e, (model,))
    if frame.empty:
        return None, None
    row = frame.iloc[0]
    return (float(row["h100e"]) if pd.notna(row["h100e"]) else None,
            float(row["h100e_memory"]) if pd.notna(row["h100e_memory"]) else None)


def supply(model: str, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """GPUs offered (and in use where a source reports it) per day x network (sql/prices_supply.sql)."""
    return run(supply, (model, start, end))


def depin_figures() -> pd.DataFrame:
    """Published figures on decentralised supply and its use, with citations (sql/prices_depin_figures.sql)."""
    return run(depin_figures)
