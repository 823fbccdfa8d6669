"""GPU prices, pure: segment headlines and ratios as of a date, the latest-price ladder with stale marks,
the method switch, published indices beside ours, unit conversion.

Frames in (from dashboard.data.prices), frames or dataclasses out; no DuckDB, no Streamlit. Every
rule is etl.price_method's (docs/METHODOLOGY.md §3): this module applies it to the reader's choices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from etl import price_method as pm

DEFAULT_MODEL = "H100 SXM"
UNITS = ("GPU-hour", "H100e-hour", "H100e-mem-hour")
UNIT_LABELS = {"GPU-hour": "USD per GPU-hour", "H100e-hour": "USD per H100-equivalent hour",
               "H100e-mem-hour": "USD per memory-aware H100-equivalent hour"}
SEGMENTS = pm.SEGMENTS
SEGMENT_LABELS = {"hyperscaler": "Hyperscaler", "neocloud": "Neocloud", "marketplace": "Marketplace",
                  "depin": "DePIN"}
GEOS = ("all", *[g for g in pm.GEO_GROUPS if g != "other"], "other")
GEO_LABELS = {"all": "global (all regions)", "US": "US", "EU": "EU", "APAC": "APAC", "other": "other"}
PRICE_TYPE_ORDER = pm.PRICE_TYPES
PRICE_TYPE_LABELS = {"on_demand": "on-demand", "spot": "spot / interruptible",
                     "community": "on-demand, community tier", "reserved_short": "reserved < 1 year",
                     "reserved_12m_plus": "reserved 1 year +"}
METHODS = (pm.METHOD, pm.CCIR_METHOD)
METHOD_SENTENCES = pm.METHOD_SENTENCES
RATIO_LABELS = {"marketplace/neocloud": "Marketplace / neocloud", "depin/neocloud": "DePIN / neocloud",
                "hyperscaler/neocloud": "Hyperscaler / neocloud"}


def unit_factor(unit: str, h100e: float | None, h100e_memory: float | None) -> float | None:
    """What a GPU-hour price is divided by to be per `unit` (None: the model has no such figure)."""
    if unit == "GPU-hour":
        return 1.0
    return h100e if unit == "H100e-hour" else h100e_memory


def scaled(frame: pd.DataFrame, factor: float | None, columns=("median", "p25", "p75", "price", "value")) -> pd.DataFrame:
    """The frame with its price columns divided by `factor` (a unit change)."""
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column] / factor if factor else None
    return out


# ---- headlines (§3.5) ----

def headline_table(units: pd.DataFrame, model: str, price_type: str = "on_demand", geo: str = "all",
                   as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per segment (and block where both its segments have data): price_method.headlines."""
    if units.empty:
        return pd.DataFrame(columns=pm.HEADLINE_COLUMNS)
    return pm.headlines(units, model, price_type, geo, as_of)


def ratios(heads: pd.DataFrame) -> pd.DataFrame:
    """Marketplace/neocloud, DePIN/neocloud, hyperscaler/neocloud where both segments have a headline."""
    if heads.empty:
        return pd.DataFrame(columns=["ratio", "value", "low_confidence"])
    return pm.headline_ratios(heads[heads["segment"].isin(SEGMENTS)])


@dataclass(frozen=True)
class SegmentHeadline:
    segment: str
    label: str
    median: float | None
    n_providers: int
    n: int
    as_of_text: str
    low_confidence: bool
    reason: str | None
    n_stale: int

    @property
    def counted(self) -> str:
        """'6 providers' or, for marketplaces, '17 machines of 1 provider'."""
        if self.segment == "marketplace":
            return (f"{self.n} machine{'s' if self.n != 1 else ''} of {self.n_providers} "
                    f"provider{'s' if self.n_providers != 1 else ''}")
        return f"{self.n_providers} provider{'s' if self.n_providers != 1 else ''}"


def segment_headlines(heads: pd.DataFrame) -> dict[str, SegmentHeadline | None]:
    """Segment (and block) -> its headline, None where the segment has no data as of the date."""
    out: dict[str, SegmentHeadline | None] = {s: None for s in (*SEGMENTS, *pm.BLOCKS)}
    for r in heads.itertuples(index=False):
        label = SEGMENT_LABELS.get(r.segment) or f"{r.segment.capitalize()} ({r.contains.replace('+', ' + ')})"
        out[r.segment] = SegmentHeadline(r.segment, label, float(r.median), int(r.n_providers), int(r.n),
                                         str(r.as_of_text), bool(r.low_confidence),
                                         r.reason if isinstance(r.reason, str) else None, int(r.n_stale))
    return out


# ---- ladder (§3.5: stale list prices marked) ----

LADDER_COLUMNS = ["provider", "provider_name", "segment", "block", "price_type", "day", "price", "n_units",
                  "n_offers", "source", "sources_seen", "price_since", "age_days", "stale"]


def ladder(units: pd.DataFrame, price_type: str = "on_demand", geo: str = "all", as_of: dt.date | None = None,
           stale_days: int = pm.STALE_DAYS, segment: str = "all") -> pd.DataFrame:
    """Each provider's newest price on or before as_of, cheapest first, with `stale` (set more than
    stale_days before as_of). A marketplace provider's price is the median of its machines that day."""
    end = pm._as_date(as_of)
    part = units[(units["price_type"] == price_type) & (units["day"] <= end) & ~units["outlier"].astype(bool)]
    if geo != "all":
        part = part[part["geo"] == geo]
    if segment != "all":
        part = part[part["segment"] == segment]
    if part.empty:
        return pd.DataFrame(columns=LADDER_COLUMNS)
    newest = part[part["day"] == part.groupby(["provider", "segment"])["day"].transform("max")]
    rows = (newest.groupby(["provider", "segment"])
            .agg(provider_name=("provider_name", "first"), block=("block", "first"), day=("day", "max"),
                 price=("price", "median"), n_units=("unit", "nunique"), n_offers=("n_offers", "sum"),
                 source=("source", "first"), sources_seen=("sources_seen", "first"),
                 price_since=("price_since", "min"))
            .reset_index())
    rows["price_type"] = price_type
    rows["age_days"] = [(end - d).days for d in rows["price_since"]]
    rows["stale"] = rows["age_days"] > stale_days
    return rows[LADDER_COLUMNS].sort_values(["price", "provider_name"]).reset_index(drop=True)


def trim_ladder(frame: pd.DataFrame, limit: int = 40) -> pd.DataFrame:
    """At most `limit` rows, spread evenly over each segment's price range (cheapest and dearest kept)."""
    if len(frame) <= limit:
        return frame
    sizes = frame["segment"].value_counts()
    floor = limit // 4
    quota = {s: max(min(n, floor), round(limit * n / len(frame))) for s, n in sizes.items()}
    while sum(quota.values()) > limit:
        biggest = max(quota, key=quota.get)
        quota[biggest] -= 1
    kept = []
    for seg, part in frame.sort_values("price").groupby("segment", sort=False):
        k = quota[seg]
        if k >= len(part):
            kept.append(part)
            continue
        step = (len(part) - 1) / max(k - 1, 1)
        kept.append(part.iloc[sorted({round(i * step) for i in range(k)})])
    return pd.concat(kept).sort_values("price").reset_index(drop=True)


# ---- method switch and published indices ----

def method_switch(rows: pd.DataFrame) -> pd.DataFrame:
    """The newest day on which every method has a row: one row per method with its median, n, the
    move against the default method (relative), and the method's sentence. Empty when no such day."""
    cols = ["day", "method", "median", "n", "low_confidence", "reason", "move", "sentence"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    per_day = rows.groupby("day")["method"].nunique()
    both = per_day[per_day >= len(METHODS)]
    if both.empty:
        return pd.DataFrame(columns=cols)
    day = max(both.index)
    part = rows[rows["day"] == day].drop_duplicates("method").set_index("method")
    base = float(part.loc[pm.METHOD, "median"]) if pm.METHOD in part.index else None
    out = []
    for method in METHODS:
        if method not in part.index:
            continue
        r = part.loc[method]
        out.append({"day": day, "method": method, "median": float(r["median"]), "n": int(r["n"]),
                    "low_confidence": bool(r["low_confidence"]),
                    "reason": r["reason"] if isinstance(r["reason"], str) else None,
                    "move": float(r["median"]) / base - 1 if base else None,
                    "sentence": METHOD_SENTENCES.get(method)})
    return pd.DataFrame(out, columns=cols)


def in_view(frame: pd.DataFrame, price_type: str, start: dt.date | None = None,
            end: dt.date | None = None) -> pd.DataFrame:
    """Rows of one price type (and, with start/end, within the period): markers, published indices."""
    if frame.empty:
        return frame
    keep = frame["price_type"] == price_type
    if start is not None and end is not None:
        days = pd.to_datetime(frame["day"]).dt.date
        keep &= (days >= start) & (days <= end)
    return frame[keep].reset_index(drop=True)


def published_beside(published: pd.DataFrame, *ours_frames: pd.DataFrame, max_gap_days: int = 7) -> pd.DataFrame:
    """Each published series' newest value beside ComputeWatch's (cw) median for the same segment, geo
    and price type on the nearest day within max_gap_days (the earlier one on a tie).

    ours: marts.price_index rows of method cw (any geo; segment 'all' rows do not exist, so a
    publisher's all-segment series gets no counterpart and says so).
    """
    cols = ["publisher", "entity", "segment", "geo", "price_type", "day", "value", "ours_day", "ours", "ours_n",
            "difference", "method_sentence"]
    if published.empty:
        return pd.DataFrame(columns=cols)
    ours = pd.concat([f for f in ours_frames if not f.empty] or [pd.DataFrame(
        columns=["day", "segment", "geo", "price_type", "median", "n"])], ignore_index=True)
    out = []
    newest = published[published["day"] == published.groupby("entity")["day"].transform("max")]
    for r in newest.itertuples(index=False):
        day = pd.Timestamp(r.day).date()
        match = ours[(ours["segment"] == r.segment) & (ours["geo"] == r.geo) & (ours["price_type"] == r.price_type)]
        gaps = pd.Series([abs((day - pd.Timestamp(d).date()).days) for d in match["day"]], index=match.index,
                         dtype=float)
        match = match.assign(gap=gaps, later=[pd.Timestamp(d).date() > day for d in match["day"]])
        match = match[match["gap"] <= max_gap_days]
        best = match.sort_values(["gap", "later"]).iloc[0] if not match.empty else None
        ours_value = float(best["median"]) if best is not None else None
        out.append({"publisher": r.publisher, "entity": r.entity, "segment": r.segment, "geo": r.geo,
                    "price_type": r.price_type, "day": day, "value": float(r.value),
                    "ours_day": pd.Timestamp(best["day"]).date() if best is not None else None,
                    "ours": ours_value, "ours_n": int(best["n"]) if best is not None else None,
                    "difference": ours_value / float(r.value) - 1 if ours_value and r.value else None,
                    "method_sentence": r.method_sentence})
    return pd.DataFrame(out, columns=cols)


def overview_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Overview's price chart: the five years to `today`."""
    return today - dt.timedelta(days=5 * 366), today


def sources_of(frame: pd.DataFrame, unit: str = "GPU-hour") -> list[str]:
    """Sources behind a frame's `source` column (';' or ',' joined), plus the compute seed per H100e."""
    names = {s.strip() for value in frame.get("source", pd.Series(dtype=str)).dropna()
             for s in str(value).replace(";", ",").split(",")}
    if unit != "GPU-hour":
        names.add("seed")
    return sorted(n for n in names if n)
