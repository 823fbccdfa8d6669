"""Headline concentration numbers (for Overview) and the one-sentence reading of the Concentration page.

Reads marts.concentration through dashboard.queries only; no Streamlit elements.
"""

from __future__ import annotations

import pandas as pd

from dashboard import queries
from etl.concentration import GUIDELINE_NAMES, classify, equivalent_firms, interval_verdict

CLOUD_MARKETS = ("cloud_infrastructure_synergy", "cloud_infrastructure_canalys")
DECENTRALISED_MARKETS = ("vast_hosts", "akash_providers")


def rows() -> pd.DataFrame:
    """Every marts.concentration row (empty frame when the mart is missing)."""
    if not queries.has_table("marts", "concentration"):
        return pd.DataFrame()
    return queries.named("concentration_rows")


def latest(frame: pd.DataFrame, markets: tuple[str, ...]) -> pd.Series | None:
    """The latest trend row of the first of `markets` that has one."""
    if frame.empty:
        return None
    for market in markets:
        part = frame[(frame["market"] == market) & frame["in_trend"].fillna(True).astype(bool)]
        if not part.empty:
            return part.sort_values("period").iloc[-1]
    return None


def _fmt_range(low: float, high: float) -> str:
    return f"{low:,.0f}" if abs(high - low) < 0.5 else f"{low:,.0f} to {high:,.0f}"


def _item(row: pd.Series | None, guidelines: str) -> dict | None:
    if row is None:
        return None
    low, high = float(row["hhi_low"]), float(row["hhi_high"])
    return {
        "market": row["market"], "market_label": row["market_label"], "period_label": row["period_label"],
        "hhi": float(row["hhi"]), "hhi_low": low, "hhi_high": high, "hhi_text": _fmt_range(low, high),
        "bounded": bool(row["bounded"]), "n_entities": int(row["n_entities"]),
        "equivalent_firms": float(row["equivalent_firms"]), "verdict": interval_verdict(low, high, guidelines),
        "band_low": classify(low, guidelines), "band_high": classify(high, guidelines),
        "basis": row["basis"], "source": row["source"],
    }


def headline(guidelines: str = "us2023") -> dict:
    """Latest cloud HHI interval with its verdict, and the latest decentralised (Vast.ai host) HHI.

    Returns {"cloud": {...} | None, "decentralised": {...} | None, "guidelines": name}; each item
    has market_label, period_label, hhi_low, hhi_high, hhi_text, verdict, n_entities, basis, source.
    """
    frame = rows()
    return {
        "cloud": _item(latest(frame, CLOUD_MARKETS), guidelines),
        "decentralised": _item(latest(frame, DECENTRALISED_MARKETS), guidelines),
        "guidelines": GUIDELINE_NAMES[guidelines],
    }


def band_words(low: str, high: str) -> str:
    """'moderately concentrated', 'highly concentrated' -> 'moderately to highly concentrated'."""
    if low == high:
        return low
    a, b = low.rsplit(" ", 1), high.rsplit(" ", 1)
    if len(a) == len(b) == 2 and a[1] == b[1]:
        return f"{a[0]} to {high}"
    return f"{low} to {high}"


def _band_words(item: dict) -> str:
    """'is moderately to highly concentrated' (US labels) or 'shows moderate concentration' (EU labels)."""
    words = band_words(item["band_low"], item["band_high"])
    return f"shows **{words}**" if words.endswith("concentration") else f"is **{words}**"


def trend(frame: pd.DataFrame, market: str) -> dict | None:
    """First and latest trend rows of a market, and the change of the HHI midpoint between them."""
    part = frame[(frame["market"] == market) & frame["in_trend"].fillna(True).astype(bool)].sort_values("period")
    if len(part) < 2:
        return None
    first, last = part.iloc[0], part.iloc[-1]
    return {"first": first, "last": last, "change": float(last["hhi"] - first["hhi"])}


def reading(frame: pd.DataFrame, guidelines: str = "us2023") -> str:
    """One or two plain sentences: the latest cloud and decentralised HHI, and the cloud trend."""
    cloud = _item(latest(frame, CLOUD_MARKETS), guidelines)
    dec = _item(latest(frame, DECENTRALISED_MARKETS), guidelines)
    parts = []
    if cloud:
        text = (f"**{cloud['market_label']}** {_band_words(cloud)} under the "
                f"{GUIDELINE_NAMES[guidelines]}: HHI {cloud['hhi_text']} in {cloud['period_label']}, like "
                f"{_firms(cloud)} equal-sized firms")
        move = trend(frame, cloud["market"])
        if move and abs(move["change"]) >= 50:
            direction = "down" if move["change"] < 0 else "up"
            text += (f", {direction} from about {move['first']['hhi']:,.0f} in {move['first']['period_label']} "
                     "(midpoints of the ranges)")
        parts.append(text + ".")
    if dec:
        parts.append(f"Decentralised supply is far less concentrated: **{dec['market_label']}** "
                     f"{_band_words(dec)}, HHI {dec['hhi_text']} on {dec['period_label']} across "
                     f"{dec['n_entities']:,} hosts, like {_firms(dec)} equal-sized hosts."
                     if dec["hhi_high"] < (cloud or dec)["hhi_low"] else
                     f"**{dec['market_label']}** {_band_words(dec)}: HHI {dec['hhi_text']} on "
                     f"{dec['period_label']} across {dec['n_entities']:,} hosts.")
    return " ".join(parts)


def _firms(item: dict) -> str:
    low, high = equivalent_firms(item["hhi_high"]), equivalent_firms(item["hhi_low"])
    return f"{low:.0f}" if round(low) == round(high) else f"{low:.0f} to {high:.0f}"
