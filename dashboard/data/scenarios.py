"""Data-derived inputs of the pass-through scenarios: baseline GPU price, users and status-quo HHI.

Three scenario inputs come from the warehouse rather than from the model's defaults: the baseline
GPU price (latest H100 SXM median by segment, `marts.price_index`), the number of users (latest
`chatgpt_monthly_users`, 180.5M in Jan 2024 in the seed) and the status-quo concentration (latest
worldwide cloud-infrastructure HHI midpoint, `marts.concentration`). Each value carries its source and
as-of date for captions, and falls back to the model default (with a note) when the warehouse has no
such figure (dashboard.model.scenarios.Input).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.data import sources
from dashboard.data.warehouse import has_table, run
from dashboard.model.scenarios import (
    GPU_MODEL,
    HHI_MARKET,
    USERS_INDICATOR,
    Input,
    ScenarioInputs,
    default_hhi,
    default_price,
    default_users,
)


def baseline_prices() -> dict[str, Input]:
    """Segment -> the latest H100 SXM median price (sql/scenarios_baseline_prices.sql)."""
    frame = run(baseline_prices, (GPU_MODEL,))
    return {row.segment: Input(float(row.median), f"{GPU_MODEL} median {row.price_type.replace('_', '-')} price, "
                               f"{row.segment} ({row.n} offer{'s' if row.n != 1 else ''})", str(row.sources),
                               f"{row.day:%Y-%m-%d}") for row in frame.itertuples()}


def users() -> Input | None:
    """The latest ChatGPT monthly users, millions (sql/scenarios_users.sql)."""
    frame = run(users, (USERS_INDICATOR,))
    if frame.empty:
        return None
    row = frame.iloc[0]
    return Input(float(row["value"]), "ChatGPT monthly users", str(row["source"]), f"{row['period']:%Y-%m}",
                 row["ref_url"] or None)


def status_quo_hhi() -> Input | None:
    """The latest worldwide cloud-infrastructure HHI, the midpoint of its range where it is one
    (sql/scenarios_status_quo_hhi.sql)."""
    if not has_table("marts", "concentration"):
        return None
    frame = run(status_quo_hhi, (HHI_MARKET,))
    if frame.empty:
        return None
    row = frame.iloc[0]
    low, high = row["hhi_low"], row["hhi_high"]
    if pd.notna(low) and pd.notna(high):
        value, span = (float(low) + float(high)) / 2, f", midpoint of {low:,.0f}-{high:,.0f}"
    else:
        value, span = float(row["hhi"]), ""
    return Input(float(round(value)), f"{row['market_label']} HHI{span}", str(row["source"]),
                 f"{row['period']:%Y-%m}")


def load() -> ScenarioInputs:
    """Today's data-derived inputs; each falls back to the model default when the warehouse lacks it."""
    try:
        prices, users_, hhi, snapshot = baseline_prices(), users(), status_quo_hhi(), sources.snapshot_id()
    except (FileNotFoundError, duckdb.Error):
        return ScenarioInputs(default_price(), default_users(), default_hhi())
    return ScenarioInputs(prices or default_price(), users_ or default_users(), hhi or default_hhi(), snapshot)
