"""Data for the GPU prices page and its Overview headline: filter choices, index, ladder, supply.

Thin wrappers over the named queries dashboard/sql/prices_*.sql (bound parameters only) plus the
small pandas steps the page and Overview share: block medians of a ladder, trimming a long ladder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import queries

UNITS = ("GPU-hour", "H100e-hour")
UNIT_LABELS = {"GPU-hour": "USD per GPU-hour", "H100e-hour": "USD per H100-equivalent hour"}
SEGMENTS = ("all", "hyperscaler", "neocloud", "marketplace", "depin")
LOOKBACKS = {"30 days": 30, "90 days": 90, "1 year": 365, "2 years": 730, "any time": None}
DEFAULT_MODEL = "H100 SXM"
DEFAULT_LOOKBACK = "1 year"
LADDER_LIMIT = 40


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
    frame = queries.named("prices_options")
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
    """Daily p25 / median / p75 per block (or per segment) of one GPU model."""
    frame = queries.named("prices_index", (model, unit, segment, bool(split), price_type, region, start, end))
    return frame.dropna(subset=["median"])


def ladder(model: str, *, unit: str = "GPU-hour", segment: str = "all", price_type: str = "all",
           region: str = "all", start: dt.date, end: dt.date, lookback_days: int | None = 365) -> pd.DataFrame:
    """Each source x provider x price type's latest price in the period (within the lookback), cheapest first."""
    frame = queries.named("prices_ladder", (model, unit, segment, price_type, region, start, end, lookback_days))
    return frame.dropna(subset=["price"]).reset_index(drop=True)


def supply(model: str, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """GPUs offered and in use per day x network, for one model or 'all'."""
    return queries.named("prices_supply", (model, start, end))


def block_stats(frame: pd.DataFrame) -> dict[str, dict]:
    """Per block: median of the ladder's prices, providers, offers counted, newest and oldest day."""
    out = {}
    for block in ("centralised", "decentralised"):
        part = frame[frame["block"] == block] if not frame.empty else frame
        if part.empty:
            out[block] = {"median": None, "n_providers": 0, "n_offers": 0, "as_of": None, "oldest": None}
            continue
        out[block] = {
            "median": float(part["price"].median()),
            "n_providers": int(part["provider"].nunique()),
            "n_offers": int(part["n_offers"].sum()),
            "as_of": pd.Timestamp(part["day"].max()).date(),
            "oldest": pd.Timestamp(part["day"].min()).date(),
        }
    return out


def ratio(stats: dict[str, dict]) -> float | None:
    """Decentralised median / centralised median (below 1: decentralised is cheaper)."""
    cen, dec = stats["centralised"]["median"], stats["decentralised"]["median"]
    return dec / cen if cen and dec is not None else None


def trim_ladder(frame: pd.DataFrame, limit: int = LADDER_LIMIT) -> pd.DataFrame:
    """At most `limit` rows spread evenly over each block's price range (cheapest and dearest kept).

    Each block gets a share of `limit` proportional to its rows, but never fewer than
    min(its rows, limit // 4), so a small block is not squeezed out by a large one.
    """
    if len(frame) <= limit:
        return frame
    sizes = frame["block"].value_counts()
    floor = limit // 4
    quota = {b: max(min(n, floor), round(limit * n / len(frame))) for b, n in sizes.items()}
    while sum(quota.values()) > limit:  # shave the largest block until the total fits
        biggest = max(quota, key=quota.get)
        quota[biggest] -= 1
    kept = []
    for block, part in frame.sort_values("price").groupby("block", sort=False):
        k = quota[block]
        if k >= len(part):
            kept.append(part)
            continue
        step = (len(part) - 1) / max(k - 1, 1)
        kept.append(part.iloc[sorted({round(i * step) for i in range(k)})])
    return pd.concat(kept).sort_values("price").reset_index(drop=True)


def headline(gpu_model: str = DEFAULT_MODEL, unit: str = "GPU-hour",
             lookback: str = DEFAULT_LOOKBACK) -> dict:
    """The latest centralised vs decentralised median price of one GPU (Overview's headline).

    The same numbers as the GPU prices page with its defaults (all segments, price types and
    regions, full period): the median across providers' latest prices within the lookback.
    """
    opts = options()
    out = {"gpu_model": gpu_model, "unit": unit, "unit_label": UNIT_LABELS[unit], "lookback": lookback,
           "centralised_median": None, "decentralised_median": None, "ratio": None,
           "centralised_as_of": None, "decentralised_as_of": None,
           "centralised_oldest": None, "decentralised_oldest": None,
           "n_providers": 0, "n_offers": 0, "sources": []}
    if opts.first_day is None or gpu_model not in opts.models:
        return out
    frame = ladder(gpu_model, unit=unit, start=opts.first_day, end=opts.last_day,
                   lookback_days=LOOKBACKS[lookback])
    stats = block_stats(frame)
    for block in ("centralised", "decentralised"):
        out[f"{block}_median"] = stats[block]["median"]
        out[f"{block}_as_of"] = stats[block]["as_of"]
        out[f"{block}_oldest"] = stats[block]["oldest"]
    out["ratio"] = ratio(stats)
    out["n_providers"] = int(frame["provider"].nunique()) if not frame.empty else 0
    out["n_offers"] = int(frame["n_offers"].sum()) if not frame.empty else 0
    out["sources"] = sorted(frame["source"].unique()) if not frame.empty else []
    return out


def money(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"${value:,.2f}"


def sources_of(frame: pd.DataFrame, unit: str) -> list[str]:
    """Sources behind a frame's `source` column, plus Epoch's hardware data when prices are per H100e."""
    names = {s.strip() for value in frame.get("source", pd.Series(dtype=str)).dropna() for s in str(value).split(",")}
    if unit == "H100e-hour":
        names.add("epoch_hardware")
    return sorted(n for n in names if n)
