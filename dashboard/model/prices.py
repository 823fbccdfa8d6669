"""GPU prices, pure: block medians of a ladder, their ratio, trimming a long ladder, Overview's headline.

Frames in (from dashboard.data.prices), dataclasses or frames out; no DuckDB, no Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

UNITS = ("GPU-hour", "H100e-hour")
UNIT_LABELS = {"GPU-hour": "USD per GPU-hour", "H100e-hour": "USD per H100-equivalent hour"}
SEGMENTS = ("all", "hyperscaler", "neocloud", "marketplace", "depin")
BLOCKS = ("centralised", "decentralised")
LOOKBACKS = {"30 days": 30, "90 days": 90, "1 year": 365, "2 years": 730, "any time": None}
DEFAULT_MODEL = "H100 SXM"
DEFAULT_LOOKBACK = "1 year"
LADDER_LIMIT = 40


@dataclass(frozen=True)
class BlockStats:
    """One block's share of a ladder: median of the latest prices, providers, offers, newest and oldest day."""

    median: float | None = None
    n_providers: int = 0
    n_offers: int = 0
    as_of: dt.date | None = None
    oldest: dt.date | None = None


def block_stats(frame: pd.DataFrame) -> dict[str, BlockStats]:
    """Per block (centralised, decentralised): the BlockStats of the ladder's rows in that block."""
    out = {}
    for block in BLOCKS:
        part = frame[frame["block"] == block] if not frame.empty else frame
        if part.empty:
            out[block] = BlockStats()
            continue
        out[block] = BlockStats(
            median=float(part["price"].median()),
            n_providers=int(part["provider"].nunique()),
            n_offers=int(part["n_offers"].sum()),
            as_of=pd.Timestamp(part["day"].max()).date(),
            oldest=pd.Timestamp(part["day"].min()).date(),
        )
    return out


def ratio(stats: dict[str, BlockStats]) -> float | None:
    """Decentralised median / centralised median (below 1: decentralised is cheaper)."""
    cen, dec = stats["centralised"].median, stats["decentralised"].median
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


@dataclass(frozen=True)
class Headline:
    """The latest centralised vs decentralised median price of one GPU (Overview's headline)."""

    gpu_model: str
    unit: str
    lookback: str
    centralised: BlockStats = BlockStats()
    decentralised: BlockStats = BlockStats()
    ratio: float | None = None
    n_providers: int = 0
    n_offers: int = 0
    sources: tuple[str, ...] = ()

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]


def headline(ladder: pd.DataFrame | None, gpu_model: str = DEFAULT_MODEL, unit: str = "GPU-hour",
             lookback: str = DEFAULT_LOOKBACK) -> Headline:
    """Overview's headline from the ladder the GPU prices page shows with its defaults (all segments,
    price types and regions, full period, `lookback`); `ladder` None when the model has no prices."""
    if ladder is None:
        return Headline(gpu_model, unit, lookback)
    stats = block_stats(ladder)
    return Headline(
        gpu_model, unit, lookback, centralised=stats["centralised"], decentralised=stats["decentralised"],
        ratio=ratio(stats),
        n_providers=int(ladder["provider"].nunique()) if not ladder.empty else 0,
        n_offers=int(ladder["n_offers"].sum()) if not ladder.empty else 0,
        sources=tuple(sorted(ladder["source"].unique())) if not ladder.empty else (),
    )


def overview_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Overview's price chart: the five years to `today`."""
    return today - dt.timedelta(days=5 * 366), today


def sources_of(frame: pd.DataFrame, unit: str) -> list[str]:
    """Sources behind a frame's `source` column, plus Epoch's hardware data when prices are per H100e."""
    names = {s.strip() for value in frame.get("source", pd.Series(dtype=str)).dropna() for s in str(value).split(",")}
    if unit == "H100e-hour":
        names.add("epoch_hardware")
    return sorted(n for n in names if n)


def offers(ladder: pd.DataFrame) -> int:
    """Prices behind a ladder: a list price counts once, a marketplace row as all its offers that day."""
    return int(ladder["n_offers"].sum())


def newest(stats: dict[str, BlockStats]) -> dt.date | None:
    """The newest price day of any block."""
    return max((s.as_of for s in stats.values() if s.as_of), default=None)
