"""Data-derived inputs of the pass-through scenarios: users, compute-cost route figures, GPU price, HHI, trends.

Every value is the newest sourced figure in the warehouse, with its source and date
(dashboard.model.scenarios.Figure):
- users: the newest ChatGPT weekly and monthly users (`marts.indicators`);
- the compute-cost routes' figures: messages a day, energy a query, GPU power, API tokens a day, price
  per million tokens (`marts.indicators`);
- the baseline GPU price: per segment, the newest H100 SXM on-demand median of price method cw-1.0.0
  over all regions (`marts.price_index`, docs/METHODOLOGY.md §3.8). A warehouse whose price index
  predates that schema has no baseline price: the page says it is not available rather than read
  another figure;
- the conduct: the newest HHI of the AI-assistant market and of the cloud market (`marts.concentration`);
- the inference-price trends (`marts.indicators`).
"""

from __future__ import annotations

from urllib.parse import urlparse

import duckdb
import pandas as pd

from dashboard.data import sources
from dashboard.data.warehouse import has_table, run
from dashboard.model.scenarios import (
    GPU_MODEL,
    HHI_MARKETS,
    MARKET_LABELS,
    PRICE_GEO,
    PRICE_METHOD,
    PRICE_TYPE,
    PRICE_UNAVAILABLE,
    ROUTE_INDICATORS,
    TREND_INDICATOR,
    USERS_INDICATORS,
    DataInputs,
    Figure,
    Trend,
)

# What each figure is, for its caption (indicator -> label).
LABELS = {
    "chatgpt_weekly_active_users": "ChatGPT weekly active users",
    "chatgpt_monthly_users": "ChatGPT monthly users",
    "chatgpt_messages_per_day": "ChatGPT messages a day",
    "chatgpt_energy_per_query": "energy of an average ChatGPT query",
    "gpu_max_power": f"{GPU_MODEL} maximum power (TDP)",
    "openai_api_tokens_per_day": "OpenAI API tokens a day",
    "llm_price_per_million_tokens": "LLM price per million tokens",
}


def _source(url: str | None, grade: str | None) -> str:
    host = urlparse(url or "").netloc.removeprefix("www.") or "seed"
    return f"{host} ({grade})" if grade else host


def _figure(row) -> Figure:
    bound = ""
    if pd.notna(row["value_low"]) and pd.isna(row["value_high"]):
        bound = ", lower bound"
    elif pd.notna(row["value_high"]) and pd.isna(row["value_low"]):
        bound = ", upper bound"
    label = f"{LABELS.get(row['indicator'], row['indicator'])}, {row['entity']}{bound}"
    return Figure(float(row["value"]), str(row["unit"]), label, _source(row["ref_url"], row["confidence"]),
                  str(row["period_label"]), row["ref_url"] or None)


def newest_indicators(names: list[str]) -> dict[str, Figure]:
    """Indicator -> its newest figure, for each of `names` the warehouse has (sql/scenarios_newest_indicators.sql)."""
    frame = run(newest_indicators, (names,))
    return {row["indicator"]: _figure(row) for _, row in frame.iterrows()}


def users() -> dict[str, Figure]:
    """Basis ('weekly', 'monthly') -> the newest ChatGPT users figure of that kind, millions."""
    found = newest_indicators(list(USERS_INDICATORS.values()))
    return {basis: found[name] for basis, name in USERS_INDICATORS.items() if name in found}


def route_figures() -> dict[str, Figure]:
    """ROUTE_INDICATORS role -> the newest figure behind the compute-cost routes."""
    found = newest_indicators(list(ROUTE_INDICATORS.values()))
    return {role: found[name] for role, name in ROUTE_INDICATORS.items() if name in found}


def trends() -> tuple[Trend, ...]:
    """The published inference-price declines; a published range gives its two ends (sql/scenarios_trends.sql)."""
    frame = run(trends, (TREND_INDICATOR,))
    out = []
    for _, row in frame.iterrows():
        source = _source(row["ref_url"], row["confidence"])
        if pd.notna(row["value_low"]) and pd.notna(row["value_high"]):
            for end, value in (("slowest", row["value_low"]), ("fastest", row["value_high"])):
                out.append(Trend(f"{row['entity']}, {end} ({value:g}x a year)", float(value), source,
                                 str(row["period_label"]), row["ref_url"]))
        else:
            out.append(Trend(f"{row['entity']} ({row['value']:g}x a year)", float(row["value"]), source,
                             str(row["period_label"]), row["ref_url"]))
    return tuple(out)


def baseline_prices() -> dict[str, Figure]:
    """Segment -> the newest H100 SXM on-demand median of method cw-1.0.0, all regions, preferring rows not
    flagged low-confidence (sql/scenarios_baseline_prices.sql). Raises duckdb.BinderException on a price
    index of the old schema."""
    frame = run(baseline_prices, (GPU_MODEL, PRICE_METHOD, PRICE_GEO, PRICE_TYPE))
    return {row.segment: Figure(
        float(row.median), "USD per GPU-hour",
        f"{GPU_MODEL} on-demand median, {row.segment}, all regions ({row.n_providers} providers, {row.n} votes"
        + ("; LOW CONFIDENCE: too few providers for a published point" if row.low_confidence else "") + ")",
        f"ComputeWatch price index {PRICE_METHOD}", f"{row.day:%Y-%m-%d}") for row in frame.itertuples()}


def status_quo_hhi(markets: tuple[str, ...]) -> Figure | None:
    """The newest HHI of the first of `markets` that has one, the midpoint of its bounds where it has them
    (sql/scenarios_status_quo_hhi.sql)."""
    frame = run(status_quo_hhi, (list(markets), list(markets)))
    if frame.empty:
        return None
    row = frame.iloc[0]
    low, high = row["hhi_low"], row["hhi_high"]
    if pd.notna(low) and pd.notna(high) and high > low:
        value, span = (float(low) + float(high)) / 2, f", midpoint of {low:,.0f}-{high:,.0f}"
    else:
        value, span = float(row["hhi"]), ""
    urls = str(row["ref_urls"] or "").split()
    hosts = ", ".join(dict.fromkeys(_source(u, None) for u in urls)) or str(row["source"])
    grades = f" ({row['grades']})" if row["grades"] else ""
    # The mart has no label for the AI-assistant market (etl/marts/concentration.py MARKETS): name it here.
    label = MARKET_LABELS["ai_assistants"] if row["market"] in HHI_MARKETS["ai_assistants"] else (
        f"{row['market_label']}, upstream")
    return Figure(round(value, 3), "HHI points", f"{label} HHI{span}, {row['n_entities']} firms published",
                  hosts + grades, str(row["period_label"]), urls[0] if urls else None)


def load() -> DataInputs:
    """Today's data-derived inputs; an input the warehouse lacks is left out (the model falls back and says so)."""
    try:
        snapshot = sources.snapshot_id()
        users_, figures, trends_ = users(), route_figures(), trends()
        hhi = {}
        if has_table("marts", "concentration"):
            hhi = {k: f for k, ids in HHI_MARKETS.items() if (f := status_quo_hhi(ids)) is not None}
    except (FileNotFoundError, duckdb.Error):
        return DataInputs(price_note=PRICE_UNAVAILABLE)
    prices, note = {}, None
    try:
        prices = baseline_prices() if has_table("marts", "price_index") else {}
    except duckdb.BinderException:  # a price index without the method/geo columns: not rebuilt yet
        prices = {}
    if not prices:
        note = PRICE_UNAVAILABLE
    return DataInputs(users=users_, prices=prices, price_note=note, hhi=hhi, figures=figures, trends=trends_,
                      snapshot=snapshot)
