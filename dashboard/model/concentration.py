"""Concentration, pure: the latest cloud and per-model marketplace HHI, readings, basis groups and tables.

Frames of marts.concentration rows in (dashboard.data.concentration), dataclasses, text or frames out.
Every concentration rule itself (indices, bounds, bands, verdicts, simulators) is in etl/concentration.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from dashboard import fmt
from etl.concentration import (
    GUIDELINE_NAMES,
    classify,
    entry_hhi_from_index,
    equivalent_firms,
    interval_verdict,
    withhold_reason,
)
from etl.concentration import reading as interval_reading

CLOUD_MARKETS = ("cloud_infrastructure_synergy", "cloud_infrastructure_canalys")
DECENTRALISED_MARKETS = ("vast_hosts", "akash_providers")  # per GPU model, basis "capacity listed"
HEADLINE_MODELS = ("H100 SXM", "H200", "L40S")  # data-centre models whose Vast queries stay under the cap
BASIS_ORDER = ("revenue", "shipments", "capacity owned", "capacity listed", "capacity leased", "usage")
BASIS_TITLES = {
    "revenue": "Revenue shares: cloud infrastructure and AI accelerators",
    "shipments": "Unit shipments: data-centre GPUs",
    "capacity owned": "Capacity owned: AI compute by owner and country",
    "capacity listed": "Capacity listed: GPUs offered by hosts on one marketplace, per GPU model",
    "capacity leased": "Capacity leased",
    "usage": "Usage: traffic through one aggregator",
}
DIFFERENT_BASES = ("Different bases, not one scale: the cloud figure is revenue shares of the whole cloud market; "
                   "the marketplace figures are shares of GPUs listed by hosts on Vast.ai alone, per GPU model, "
                   "where Vast itself is one supplier of GPU rental.")
PLATFORM_LEVEL = ("Platform level (Vast.ai, Akash, io.net beside CoreWeave, AWS ... as shares of GPU-rental supply) "
                  "is not computed: no source in the warehouse gives the clouds' GPU capacity on the basis the "
                  "marketplaces report (GPUs listed), and the clouds publish revenue only. A platform share would "
                  "put two bases on one scale.")
TABLE_COLUMNS = ["period_label", "market_label", "gpu_model", "block", "basis", "product", "geography", "hhi_low",
                 "hhi_high", "hhi", "trend_hhi_low", "trend_hhi_high", "cap_pct", "cap_source", "cr4",
                 "equivalent_firms", "nakamoto", "gini", "n_entities", "n_machines", "published_pct", "in_trend",
                 "method_break", "break_reason", "sample_capped", "withheld", "withheld_reason", "reading",
                 "coverage_pct", "coverage", "note", "source", "period", "market"]
SHARE_COLUMNS = ["entity", "share_pct", "share_low_pct", "share_high_pct", "value", "unit", "is_residual",
                 "source", "ref_url", "period_label", "market", "gpu_model"]
ENTRY_GRID = tuple(range(0, 101, 2))  # entrants' share of the market, percent, for the entry curve


def _in_trend(frame: pd.DataFrame) -> pd.Series:
    return frame["in_trend"].fillna(True).astype(bool)


def _col(frame: pd.DataFrame, name: str, default=None) -> pd.Series:
    return frame[name] if name in frame else pd.Series(default, index=frame.index)


def series_key(frame: pd.DataFrame) -> pd.Series:
    """One line per market and GPU model ('vast_hosts|H100 SXM'; markets not per model keep their id)."""
    model = _col(frame, "gpu_model")
    return frame["market"].where(model.isna(), frame["market"] + "|" + model.astype(str))


def trend_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that belong on the HHI-over-time chart (a period where the usual firms were published), each
    drawn as its interval over the market's usual firms (trend_hhi_low/high, docs/METHODOLOGY.md §1.10),
    so a firm listed one quarter and not the next does not move the line; a `series` column per line."""
    out = (frame[_in_trend(frame)] if "in_trend" in frame else frame).copy()
    if out.empty:
        return out
    if "trend_hhi_low" in out:
        low, high = out["trend_hhi_low"], out["trend_hhi_high"]
        has = low.notna() & high.notna()
        out.loc[has, "hhi_low"], out.loc[has, "hhi_high"] = low[has], high[has]
        out.loc[has, "hhi"] = (low[has] + high[has]) / 2
        out.loc[has, "bounded"] = (high[has] - low[has]) > 1e-9
    out["series"] = series_key(out)
    return out


def basis_groups(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The rows split by basis (BASIS_ORDER first): each basis gets its own chart, never one scale."""
    if frame.empty:
        return []
    bases = list(dict.fromkeys(frame["basis"].fillna("not stated")))
    order = sorted(bases, key=lambda b: (BASIS_ORDER.index(b) if b in BASIS_ORDER else len(BASIS_ORDER), b))
    return [(b, frame[frame["basis"].fillna("not stated") == b]) for b in order]


def row_withheld(row: pd.Series, guidelines: str) -> str | None:
    """The withhold rule (docs/METHODOLOGY.md §1.11) for one row under the chosen guidelines."""
    coverage = row.get("coverage_pct")
    label = row.get("coverage_label")
    return withhold_reason(float(row["hhi_low"]), float(row["hhi_high"]),
                           capped=bool(row.get("sample_capped")) if pd.notna(row.get("sample_capped")) else False,
                           coverage_pct=None if coverage is None or pd.isna(coverage) else float(coverage),
                           coverage_text=label.split(" of ")[0] if isinstance(label, str) else None,
                           guidelines=guidelines)


def row_reading(row: pd.Series, guidelines: str) -> str:
    """The sentence under a chart for one row: etl.concentration.reading with the row's assumptions."""
    def text(name: str) -> str:
        value = row.get(name)
        return value if isinstance(value, str) else ""
    return interval_reading(float(row["hhi_low"]), float(row["hhi_high"]), guidelines,
                            low_assumption=text("low_assumption"), high_assumption=text("high_assumption"),
                            withheld=row_withheld(row, guidelines))


def latest_per_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Each line's latest row, in the order the lines first appear."""
    if frame.empty:
        return frame
    keyed = frame.assign(series=series_key(frame)).sort_values("period")
    return keyed.groupby("series", sort=False).tail(1).sort_values(["market_label"])


def readings_under(frame: pd.DataFrame, guidelines: str, *, hidden: tuple[str, ...] = ()) -> str:
    """Markdown lines under a chart: each line's latest reading, derived from its interval."""
    lines = [f"- **{r['market_label']}**, {r['period_label']}: {row_reading(r, guidelines)}"
             for _, r in latest_per_series(frame).iterrows() if r["market"] not in hidden and r["series"] not in hidden]
    return "\n".join(lines)


def left_out_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~_in_trend(frame)]


def latest(frame: pd.DataFrame, markets: tuple[str, ...], gpu_model: str | None = None,
           published_only: bool = False) -> pd.Series | None:
    """The latest trend row of the first of `markets` that has one (of `gpu_model` when given; with
    `published_only`, the latest row the withhold rule lets into a headline)."""
    if frame.empty:
        return None
    for market in markets:
        mask = (frame["market"] == market) & _in_trend(frame)
        if gpu_model is not None:
            mask &= _col(frame, "gpu_model") == gpu_model
        if published_only and "withheld" in frame:
            mask &= ~frame["withheld"].fillna(False).astype(bool)
        part = frame[mask]
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
    gpu_model: str | None = None
    reading: str = ""
    withheld: str | None = None

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
        band_high=classify(high, guidelines), basis=row["basis"], source=row["source"],
        gpu_model=row.get("gpu_model") if isinstance(row.get("gpu_model"), str) else None,
        reading=row_reading(row, guidelines), withheld=row_withheld(row, guidelines))


@dataclass(frozen=True)
class Headline:
    """Overview's concentration headline, side by side on their own bases: the latest cloud HHI interval
    (revenue) and the marketplace host HHI per headline GPU model (capacity listed), each the latest
    figure the withhold rule publishes (a capped sample never makes a headline)."""

    cloud: MarketReading | None
    marketplace: tuple[MarketReading, ...]
    guidelines: str  # the guidelines' full name
    note: str = DIFFERENT_BASES

    @property
    def decentralised(self) -> MarketReading | None:
        return self.marketplace[0] if self.marketplace else None


def headline(frame: pd.DataFrame, guidelines: str = "us2023") -> Headline:
    models = [reading_of(latest(frame, DECENTRALISED_MARKETS, m, published_only=True), guidelines)
              for m in HEADLINE_MODELS]
    return Headline(reading_of(latest(frame, CLOUD_MARKETS, published_only=True), guidelines),
                    tuple(m for m in models if m is not None), GUIDELINE_NAMES[guidelines])


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
    """Plain sentences: the latest cloud HHI (revenue) with its trend, the marketplace host HHI per
    headline GPU model (capacity listed), and that the two are on different bases."""
    head = headline(frame, guidelines)
    cloud, models = head.cloud, head.marketplace
    parts = []
    if cloud:
        text = (f"**{cloud.market_label}** (revenue shares) {_band_words(cloud)} under the "
                f"{GUIDELINE_NAMES[guidelines]}: HHI {cloud.hhi_text} in {cloud.period_label}, like "
                f"{_firms(cloud)} equal-sized firms")
        move = trend(trend_rows(frame), cloud.market)
        change = None if move is None else float(move.last["hhi_low"] - move.first["hhi_low"])
        if change is not None and abs(change) >= 50:  # low ends: the usual firms' own squares, no cap assumed
            direction = "down" if change < 0 else "up"
            text += (f"; the firms listed every quarter alone give {move.last['hhi_low']:,.0f}, {direction} from "
                     f"{move.first['hhi_low']:,.0f} in {move.first['period_label']}")
        parts.append(text + ".")
    if models:
        each = "; ".join(f"{m.gpu_model} {m.hhi_text} ({m.band_low})" for m in models)
        parts.append(f"On the **Vast.ai marketplace** (GPUs listed, per GPU model, {models[0].period_label}) host "
                     f"HHI is {each}.")
    if cloud and models:
        parts.append(DIFFERENT_BASES)
    return " ".join(parts)


def left_out_note(left_out: pd.DataFrame) -> str:
    """' Not plotted, usual firms not published: <market> <periods>; ...' (empty when none is left out)."""
    if left_out.empty:
        return ""
    gaps = left_out.groupby("market_label", sort=False)["period_label"].apply(", ".join)
    return " Not plotted, usual firms not published: " + "; ".join(f"{m} {p}" for m, p in gaps.items()) + "."


def overview_y_max(rows: pd.DataFrame) -> float:
    """Top of the Overview's cloud chart: the highest interval end plus room, at least the 1,800 band edge."""
    return max(2_500.0, math.ceil(float(rows["hhi_high"].max()) * 1.25 / 500) * 500)


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
    part = frame[frame["block"] == "decentralised"]
    if "withheld" in part:
        part = part[~part["withheld"].fillna(False).astype(bool)]
    return latest_per_series(part)


def entry_curve(now: tuple[float, float], n_entrants: int) -> pd.DataFrame:
    """The entry simulator's curve: HHI range with entry for every entrants' share in ENTRY_GRID."""
    low, high = float(now[0]), float(now[1])
    return pd.DataFrame({"share": list(ENTRY_GRID),
                         "hhi_low": [entry_hhi_from_index(low, e, n_entrants) for e in ENTRY_GRID],
                         "hhi_high": [entry_hhi_from_index(high, e, n_entrants) for e in ENTRY_GRID]})


def is_true(value) -> bool:
    return bool(value) if value is not None and not (isinstance(value, float) and pd.isna(value)) else False


def gpu_model_of(row: pd.Series) -> str | None:
    value = row.get("gpu_model")
    return value if isinstance(value, str) else None


def hidden_series(part: pd.DataFrame) -> tuple[str, ...]:
    """Lines that start switched off: per-model lines other than HEADLINE_MODELS, and pooled variants."""
    if part.empty or "series" not in part:
        return ()
    out = []
    for key, rows in part.groupby("series", sort=False):
        model = gpu_model_of(rows.iloc[0])
        variant = rows.iloc[0].get("variant")
        if (model is not None and model not in HEADLINE_MODELS) or isinstance(variant, str):
            out.append(str(key))
    return tuple(out)


CHART_NOTES = {
    "revenue": ("Cloud lines: the interval over the firms listed every quarter (AWS, Microsoft, Google), the "
                "unlisted rest capped at the next firm of the source's published tail where there is one; a "
                "quarter whose published list changes is a method break (see the market detail)."),
    "capacity listed": ("Each machine's GPUs counted once a day (round(num_gpus / gpu_frac)); a host's share of "
                        "that model's listed GPUs. Models other than H100 SXM, H200 and L40S, and the pooled "
                        "all-models variant, start hidden: click them in the legend."),
    "capacity owned": ("Epoch's tracked clusters cover about 10-20% of global AI compute: withheld from verdicts. "
                       "The owner interval runs from undisclosed owners fragmented (low) to lumped (high)."),
    "shipments": "Data-centre GPU units only; accelerator revenue incl. custom chips is a separate market.",
}


def chart_note(basis: str) -> str:
    return CHART_NOTES.get(basis, "")


def declaration(row: pd.Series) -> str:
    """The declared market of a row (docs/METHODOLOGY.md §1.6): product, geography, basis, coverage."""
    parts = [f"**Product:** {row['product']}" if isinstance(row.get("product"), str) else None,
             f"**Geography:** {row['geography']}" if isinstance(row.get("geography"), str) else None,
             f"**Basis:** {row['basis']}",
             f"**Coverage:** {row['coverage_label']}" if isinstance(row.get("coverage_label"), str) else None]
    text = " · ".join(p for p in parts if p)
    return text + (f"  \n{row['coverage']}" if isinstance(row.get("coverage"), str) else "")
