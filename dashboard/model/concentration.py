"""Concentration, pure: the latest cloud and decentralised HHI, the page's plain-language reading and tables.

Frames of marts.concentration rows in (dashboard.data.concentration), dataclasses, text or frames out.
Every concentration rule itself (indices, bounds, bands, verdicts, simulators) is in etl/concentration.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import fmt
from etl.concentration import (
    GUIDELINE_NAMES,
    classify,
    entry_hhi_from_index,
    equivalent_firms,
    interval_verdict,
)

CLOUD_MARKETS = ("cloud_infrastructure_synergy", "cloud_infrastructure_canalys")
DECENTRALISED_MARKETS = ("vast_hosts", "akash_providers")
TABLE_COLUMNS = ["period_label", "market_label", "block", "basis", "hhi_low", "hhi_high", "hhi", "cr4",
                 "equivalent_firms", "nakamoto", "gini", "n_entities", "published_pct", "in_trend", "coverage",
                 "note", "source", "period", "market"]
SHARE_COLUMNS = ["entity", "share_pct", "share_low_pct", "share_high_pct", "value", "unit", "is_residual",
                 "source", "ref_url", "period_label", "market"]
ENTRY_GRID = tuple(range(0, 101, 2))  # entrants' share of the market, percent, for the entry curve


def _in_trend(frame: pd.DataFrame) -> pd.Series:
    return frame["in_trend"].fillna(True).astype(bool)


def trend_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that belong on the HHI-over-time chart (a period where the usual firms were published)."""
    return frame[_in_trend(frame)] if "in_trend" in frame else frame


def left_out_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~_in_trend(frame)]


def latest(frame: pd.DataFrame, markets: tuple[str, ...]) -> pd.Series | None:
    """The latest trend row of the first of `markets` that has one."""
    if frame.empty:
        return None
    for market in markets:
        part = frame[(frame["market"] == market) & _in_trend(frame)]
        if not part.empty:
            return part.sort_values("period").iloc[-1]
    return None


@dataclass(frozen=True)
class MarketReading:
    """One market's latest HHI interval, its bands and verdict under one set of guidelines."""

    market: str
    market_label: str
    period_label: str
    hhi: float
    hhi_low: float
    hhi_high: float
    bounded: bool
    n_entities: int
    equivalent_firms: float
    verdict: str
    band_low: str
    band_high: str
    basis: str
    source: str

    @property
    def hhi_text(self) -> str:
        return fmt.number_range(self.hhi_low, self.hhi_high)


def reading_of(row: pd.Series | None, guidelines: str) -> MarketReading | None:
    if row is None:
        return None
    low, high = float(row["hhi_low"]), float(row["hhi_high"])
    return MarketReading(
        market=row["market"], market_label=row["market_label"], period_label=row["period_label"],
        hhi=float(row["hhi"]), hhi_low=low, hhi_high=high, bounded=bool(row["bounded"]),
        n_entities=int(row["n_entities"]), equivalent_firms=float(row["equivalent_firms"]),
        verdict=interval_verdict(low, high, guidelines), band_low=classify(low, guidelines),
        band_high=classify(high, guidelines), basis=row["basis"], source=row["source"])


@dataclass(frozen=True)
class Headline:
    """Overview's concentration headline: the latest cloud HHI interval and decentralised (host) HHI."""

    cloud: MarketReading | None
    decentralised: MarketReading | None
    guidelines: str  # the guidelines' full name


def headline(frame: pd.DataFrame, guidelines: str = "us2023") -> Headline:
    return Headline(reading_of(latest(frame, CLOUD_MARKETS), guidelines),
                    reading_of(latest(frame, DECENTRALISED_MARKETS), guidelines), GUIDELINE_NAMES[guidelines])


def band_words(low: str, high: str) -> str:
    """'moderately concentrated', 'highly concentrated' -> 'moderately to highly concentrated'."""
    if low == high:
        return low
    a, b = low.rsplit(" ", 1), high.rsplit(" ", 1)
    if len(a) == len(b) == 2 and a[1] == b[1]:
        return f"{a[0]} to {high}"
    return f"{low} to {high}"


def _band_words(item: MarketReading) -> str:
    """'is moderately to highly concentrated' (US labels) or 'shows moderate concentration' (EU labels)."""
    words = band_words(item.band_low, item.band_high)
    return f"shows **{words}**" if words.endswith("concentration") else f"is **{words}**"


@dataclass(frozen=True)
class Move:
    """Two rows of one market (earlier, later) and the change of the HHI midpoint between them."""

    first: pd.Series
    last: pd.Series
    change: float


def trend(frame: pd.DataFrame, market: str) -> Move | None:
    part = frame[(frame["market"] == market) & _in_trend(frame)].sort_values("period")
    if len(part) < 2:
        return None
    first, last = part.iloc[0], part.iloc[-1]
    return Move(first, last, float(last["hhi"] - first["hhi"]))


def since_previous(history: pd.DataFrame, period_label: str) -> Move | None:
    """The change of the HHI midpoint from the period before `period_label` in one market's history
    (sorted by period); None for its first period."""
    position = history["period_label"].tolist().index(period_label)
    if position == 0:
        return None
    previous, row = history.iloc[position - 1], history.iloc[position]
    return Move(previous, row, float(row["hhi"] - previous["hhi"]))


def _firms(item: MarketReading) -> str:
    return fmt.number_range(equivalent_firms(item.hhi_high), equivalent_firms(item.hhi_low), "{:.0f}")


def reading(frame: pd.DataFrame, guidelines: str = "us2023") -> str:
    """One or two plain sentences: the latest cloud and decentralised HHI, and the cloud trend."""
    head = headline(frame, guidelines)
    cloud, dec = head.cloud, head.decentralised
    parts = []
    if cloud:
        text = (f"**{cloud.market_label}** {_band_words(cloud)} under the "
                f"{GUIDELINE_NAMES[guidelines]}: HHI {cloud.hhi_text} in {cloud.period_label}, like "
                f"{_firms(cloud)} equal-sized firms")
        move = trend(frame, cloud.market)
        if move and abs(move.change) >= 50:
            direction = "down" if move.change < 0 else "up"
            text += (f", {direction} from about {move.first['hhi']:,.0f} in {move.first['period_label']} "
                     "(midpoints of the ranges)")
        parts.append(text + ".")
    if dec:
        parts.append(f"Decentralised supply is far less concentrated: **{dec.market_label}** "
                     f"{_band_words(dec)}, HHI {dec.hhi_text} on {dec.period_label} across "
                     f"{dec.n_entities:,} hosts, like {_firms(dec)} equal-sized hosts."
                     if dec.hhi_high < (cloud or dec).hhi_low else
                     f"**{dec.market_label}** {_band_words(dec)}: HHI {dec.hhi_text} on "
                     f"{dec.period_label} across {dec.n_entities:,} hosts.")
    return " ".join(parts)


def left_out_note(left_out: pd.DataFrame) -> str:
    """' Not plotted, usual firms not published: <market> <periods>; ...' (empty when none is left out)."""
    if left_out.empty:
        return ""
    gaps = left_out.groupby("market_label", sort=False)["period_label"].apply(", ".join)
    return " Not plotted, usual firms not published: " + "; ".join(f"{m} {p}" for m, p in gaps.items()) + "."


def decentralised_y_max(rows: pd.DataFrame) -> float:
    """Top of the close-up chart's axis: room above the highest host HHI, at least 2,000."""
    return max(2_000.0, float(rows["hhi_high"].max()) * 1.3)


def moves(trend_frame: pd.DataFrame, guidelines: str) -> pd.DataFrame:
    """Per market: first and latest HHI range, the change of the midpoints and today's reading."""
    out = []
    for _, part in trend_frame.sort_values("period").groupby("market", sort=False):
        first, last = part.iloc[0], part.iloc[-1]
        out.append({
            "market": last["market_label"], "block": last["block"], "from": first["period_label"],
            "HHI then": fmt.number_range(first["hhi_low"], first["hhi_high"]), "to": last["period_label"],
            "HHI now": fmt.number_range(last["hhi_low"], last["hhi_high"]),
            "change (midpoints)": last["hhi"] - first["hhi"] if len(part) > 1 else None,
            "reading now": interval_verdict(last["hhi_low"], last["hhi_high"], guidelines)})
    return pd.DataFrame(out)


def entity_word(row: pd.Series) -> str:
    """What the market's entities are: countries, hosts, owners or firms."""
    if "country" in row["market"]:
        return "countries"
    if row["kind"] == "operator supply":
        return "hosts"
    return "owners" if "owner" in row["market"] else "firms"


def listed(shares: pd.DataFrame) -> pd.DataFrame:
    """The published entities of a shares frame (no residual), largest first."""
    return shares[~shares["is_residual"].astype(bool)].sort_values("share_pct", ascending=False)


def lorenz_values(listed_shares: pd.DataFrame) -> list[float]:
    """Each listed entity's holding: its value (GPUs, revenue) where known, else its share."""
    return (listed_shares["value"].where(listed_shares["value"].notna(), listed_shares["share_pct"])).astype(float).tolist()


def merger_verdicts_agree(low_text: str, high_text: str) -> bool:
    """Whether the merger verdicts at both ends of the HHI range say the same (ignoring the parenthesis)."""
    return low_text.split(" (")[0] == high_text.split(" (")[0]


def latest_decentralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Each decentralised market's latest row (for the entry simulator's sense of scale)."""
    return frame[frame["block"] == "decentralised"].sort_values("period").groupby("market").tail(1)


def entry_curve(now: tuple[float, float], n_entrants: int) -> pd.DataFrame:
    """The entry simulator's curve: HHI range with entry for every entrants' share in ENTRY_GRID."""
    low, high = float(now[0]), float(now[1])
    return pd.DataFrame({"share": list(ENTRY_GRID),
                         "hhi_low": [entry_hhi_from_index(low, e, n_entrants) for e in ENTRY_GRID],
                         "hhi_high": [entry_hhi_from_index(high, e, n_entrants) for e in ENTRY_GRID]})
