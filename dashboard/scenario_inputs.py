"""Data-derived inputs of the pass-through scenarios, and the permalink pins that freeze them.

Three scenario inputs come from the warehouse rather than from the model's defaults: the baseline
GPU price (latest H100 SXM median by segment, `marts.price_index`), the number of users (latest
`chatgpt_monthly_users`, 180.5M in Jan 2024 in the seed) and the status-quo concentration (latest
worldwide cloud-infrastructure HHI midpoint, `marts.concentration`, when that mart exists). Each
value carries its source and as-of date for captions, and falls back to the model default (with a
note) when the warehouse has no such figure.

A permalink pins the values it was computed with (`sc_pin_*`), the model version (`sc_v`) and the
warehouse snapshot (`sc_snap`), so the same link gives the same numbers after the data move on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dashboard import passthrough, queries

GPU_MODEL = "H100 SXM"
USERS_INDICATOR = "chatgpt_monthly_users"
HHI_MARKET = "cloud_infrastructure_synergy"  # Synergy's worldwide series; any cloud_infrastructure* market otherwise
CENTRALISED = ("neocloud", "hyperscaler")  # segments whose price the shock moves (default first)
MODEL_DEFAULT = "model default"

PIN_PARAMS = {"price": "sc_pin_price", "users": "sc_pin_users", "hhi": "sc_pin_hhi"}
VERSION_PARAM, SNAPSHOT_PARAM = "sc_v", "sc_snap"
PIN_FIELDS = {  # pin -> passthrough field whose slider bounds a pinned value must respect
    "price": "baseline_price_usd_per_gpu_hour", "users": "users_millions", "hhi": "hhi"}
PIN_LABELS = {"price": "baseline GPU price (USD per GPU-hour)", "users": "users (million a month)",
              "hhi": "status-quo HHI"}


@dataclass(frozen=True)
class Input:
    """One data-derived number with what it is, where it comes from and when it was observed."""

    value: float
    label: str
    source: str
    as_of: str | None = None
    url: str | None = None
    from_data: bool = True

    def caption(self, unit: str = "") -> str:
        when = f", {self.as_of}" if self.as_of else ""
        origin = f"source: {self.source}" if self.from_data else "model default: no figure in the warehouse"
        return f"{self.value:,.4g}{unit} ({self.label}{when}; {origin})"


@dataclass(frozen=True)
class ScenarioInputs:
    """The data-derived inputs of today's warehouse. `prices` maps segment -> latest H100 SXM median."""

    prices: dict[str, Input]
    users: Input
    hhi: Input
    snapshot: str | None = None

    @property
    def segments(self) -> list[str]:
        """Baseline choices: centralised segments with a price (the shock moves those), else any."""
        central = [s for s in CENTRALISED if s in self.prices]
        return central or list(self.prices)

    def price(self, segment: str | None) -> Input:
        return self.prices.get(segment or "", self.prices[self.segments[0]])

    def current(self, segment: str | None) -> dict[str, float]:
        return {"price": self.price(segment).value, "users": self.users.value, "hhi": self.hhi.value}


def _default_price() -> dict[str, Input]:
    value = passthrough.Scenario().baseline_price_usd_per_gpu_hour
    return {MODEL_DEFAULT: Input(value, "SemiAnalysis H100 1-year-contract index, Oct 2025 low", MODEL_DEFAULT,
                                 "2025-10", from_data=False)}


def _prices() -> dict[str, Input]:
    frame = queries.sql(
        """SELECT segment, day, price_type, median, n, sources FROM marts.price_index
           WHERE gpu_model = ? AND median IS NOT NULL
           QUALIFY row_number() OVER (PARTITION BY segment ORDER BY day DESC,
               CASE price_type WHEN 'on_demand' THEN 0 WHEN 'reserved' THEN 1 WHEN 'contract' THEN 2 ELSE 3 END) = 1
           ORDER BY segment""", (GPU_MODEL,))
    return {row.segment: Input(float(row.median), f"{GPU_MODEL} median {row.price_type.replace('_', '-')} price, "
                               f"{row.segment} ({row.n} offer{'s' if row.n != 1 else ''})", str(row.sources),
                               f"{row.day:%Y-%m-%d}") for row in frame.itertuples()}


def _users() -> Input | None:
    frame = queries.sql("SELECT period, value, source, ref_url FROM marts.indicators WHERE indicator = ? "
                        "AND value IS NOT NULL ORDER BY period DESC LIMIT 1", (USERS_INDICATOR,))
    if frame.empty:
        return None
    row = frame.iloc[0]
    return Input(float(row["value"]), "ChatGPT monthly users", str(row["source"]), f"{row['period']:%Y-%m}",
                 row["ref_url"] or None)


def _hhi() -> Input | None:
    if not queries.has_table("marts", "concentration"):
        return None
    columns = set(queries.sql("SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
                              "AND table_name = 'concentration'")["column_name"])
    if not {"period", "market", "hhi"} <= columns:
        return None
    bounds = "hhi_low, hhi_high" if {"hhi_low", "hhi_high"} <= columns else "NULL AS hhi_low, NULL AS hhi_high"
    label = "market_label" if "market_label" in columns else "market AS market_label"
    source = "source" if "source" in columns else "'computed from published shares' AS source"
    frame = queries.sql(f"SELECT period, market, {label}, {source}, hhi, {bounds} FROM marts.concentration "
                        "WHERE market LIKE 'cloud_infrastructure%' AND hhi IS NOT NULL "
                        "ORDER BY market = ? DESC, period DESC LIMIT 1", (HHI_MARKET,))
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
    users_default = Input(passthrough.Scenario().users_millions, "ChatGPT monthly users, Jan 2024", MODEL_DEFAULT,
                          "2024-01", from_data=False)
    hhi_default = Input(passthrough.Assumptions().hhi, "four equal firms (no concentration figure yet)",
                        MODEL_DEFAULT, from_data=False)
    try:
        prices, users, hhi, snapshot = _prices(), _users(), _hhi(), queries.snapshot_id()
    except (FileNotFoundError, duckdb.Error):
        return ScenarioInputs(_default_price(), users_default, hhi_default)
    return ScenarioInputs(prices or _default_price(), users or users_default, hhi or hhi_default, snapshot)


@dataclass(frozen=True)
class Pins:
    """The data inputs a page view uses: pinned by its URL where valid, else today's data.

    `differs` maps pin -> (pinned, today) where a valid pin is not today's value; `notices` lists
    malformed or out-of-range pins (ignored) and a model-version change.
    """

    values: dict[str, float]
    snapshot: str | None
    differs: dict[str, tuple[float, float]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    pinned_snapshot: str | None = None

    def params(self) -> dict[str, str]:
        """URL parameters that pin these values, the model version and the snapshot."""
        out = {PIN_PARAMS[name]: format(value, ".10g") for name, value in self.values.items()}
        out[VERSION_PARAM] = passthrough.MODEL_VERSION
        if self.snapshot:
            out[SNAPSHOT_PARAM] = self.snapshot
        return out


def _parse(name: str, raw: str | None) -> float | None:
    low, high = passthrough.FIELD_HELP[PIN_FIELDS[name]][3:5]
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def resolve_pins(params: Mapping[str, str], current: Mapping[str, float], snapshot: str | None) -> Pins:
    """Pins from URL parameters (`params`, first value of each) checked against today's `current` values."""
    values, differs, notices = {}, {}, []
    for name, key in PIN_PARAMS.items():
        raw = params.get(key)
        value = _parse(name, raw)
        if raw is not None and value is None:
            notices.append(f"Ignored URL value `{key}={raw}` (not a valid {PIN_LABELS[name]}); using today's "
                           f"data ({current[name]:,.4g}) instead.")
        values[name] = current[name] if value is None else value
        if value is not None and not math.isclose(value, current[name], rel_tol=1e-9, abs_tol=1e-9):
            differs[name] = (value, current[name])
    version = params.get(VERSION_PARAM)
    if version is not None and version != passthrough.MODEL_VERSION:
        notices.append(f"This link was made with model version `{version}`; this page runs version "
                       f"`{passthrough.MODEL_VERSION}`, so its numbers may differ from those first shared.")
    pinned_snapshot = params.get(SNAPSHOT_PARAM)
    return Pins(values, pinned_snapshot if differs and pinned_snapshot else snapshot, differs, tuple(notices),
                pinned_snapshot)
