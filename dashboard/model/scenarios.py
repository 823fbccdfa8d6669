"""Scenarios, pure: named inputs and their sourced defaults, permalink pins, the three runs, band, trend, JSON.

One function, `evaluate(params, data)`, turns a mapping of input names to values (URL parameters, or
`python -m dashboard scenario --set NAME=VALUE`) and the warehouse's figures (`DataInputs`, read by
dashboard.data.scenarios) into everything the page and the command line show, so both print the same
numbers for the same settings.

Three runs, as in En-ROADS: the *default baseline* (every input at its default, data-derived ones from
today's, or the link's pinned, figures), *your baseline* (your market and service assumptions, policy
levers at their defaults) and *the scenario* (your assumptions and your levers).

A permalink pins the data-derived values it used (`pin_*`), the model version and the warehouse
snapshot, so the same link gives the same numbers after the data move on, and says that current data
differ. Links of model version 1 (`sc_*` parameters) are translated with version 1's defaults.
No Streamlit, no DuckDB here.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard import fmt
from dashboard.model import passthrough as pt
from dashboard.text.scenarios import FIELDS

A, S = pt.Assumptions(), pt.Scenario()

# --------------------------------------------------------------------------- what the data layer reads
GPU_MODEL = "H100 SXM"
PRICE_METHOD, PRICE_GEO, PRICE_TYPE = "cw-1.0.0", "all", "on_demand"  # docs/METHODOLOGY.md §3.8
CENTRALISED = ("neocloud", "hyperscaler")  # segments whose price the shock moves (default first)
USERS_INDICATORS = {"weekly": "chatgpt_weekly_active_users", "monthly": "chatgpt_monthly_users"}
HHI_MARKETS = {  # conduct market -> warehouse markets, preferred first
    "ai_assistants": ("ai_assistants_similarweb",),
    "cloud_infrastructure": ("cloud_infrastructure_synergy", "cloud_infrastructure_canalys"),
}
MARKET_LABELS = {"ai_assistants": "AI assistants, worldwide web visits (Similarweb)",
                 "cloud_infrastructure": "cloud infrastructure, worldwide (upstream)",
                 "manual": "set directly"}
ROUTE_INDICATORS = {  # role -> indicator (the newest row of each)
    "messages_per_day": "chatgpt_messages_per_day",          # billion a day
    "energy_per_query": "chatgpt_energy_per_query",          # Wh per query
    "gpu_power": "gpu_max_power",                            # W (entity H100 SXM)
    "tokens_per_day": "openai_api_tokens_per_day",           # trillion tokens a day
    "price_per_million_tokens": "llm_price_per_million_tokens",  # USD per 1M tokens
}
TREND_INDICATOR = "llm_inference_price_decline"
LEGACY_COST_USD_PER_DAY = 700_000.0  # v1's undated "$700k a day" ChatGPT running-cost estimate (tertiary)
DAYS_PER_MONTH = 365.0 / 12.0
MODEL_DEFAULT = "model default"
PRICE_UNAVAILABLE = "not available until the price index is rebuilt"


@dataclass(frozen=True)
class Figure:
    """One sourced number: what it is, its unit, where it comes from and when it was observed."""

    value: float
    unit: str
    label: str
    source: str
    as_of: str | None = None
    url: str | None = None
    from_data: bool = True

    def caption(self, digits: str = ",.4g") -> str:
        when = f", {self.as_of}" if self.as_of else ""
        origin = f"source: {self.source}" if self.from_data else "model default: no figure in the warehouse"
        return f"{format(self.value, digits)} {self.unit} ({self.label}{when}; {origin})"


@dataclass(frozen=True)
class Trend:
    """A published decline in LLM inference prices at constant capability, x per year."""

    label: str
    factor_per_year: float
    source: str
    as_of: str | None
    url: str | None = None


@dataclass(frozen=True)
class DataInputs:
    """The warehouse's figures behind the data-derived inputs (dashboard.data.scenarios.load)."""

    users: dict[str, Figure] = field(default_factory=dict)    # basis -> newest figure
    prices: dict[str, Figure] = field(default_factory=dict)   # segment -> newest on-demand median
    price_note: str | None = None                            # why `prices` is empty
    hhi: dict[str, Figure] = field(default_factory=dict)      # conduct market -> newest HHI
    figures: dict[str, Figure] = field(default_factory=dict)  # ROUTE_INDICATORS role -> newest figure
    trends: tuple[Trend, ...] = ()
    snapshot: str | None = None

    @property
    def segments(self) -> list[str]:
        """Baseline choices: centralised segments with a price (the shock moves those), else any."""
        central = [s for s in CENTRALISED if s in self.prices]
        return central or list(self.prices)


# --------------------------------------------------------------------------- inputs
class Input(NamedTuple):
    """One named input: its URL / command-line name, kind, group and the model field it sets."""

    name: str
    kind: str  # "number" or "choice"
    group: str  # "lever", "market", "service", "split"
    fmt: str = "%.2f"  # slider display format
    options: tuple[str, ...] = ()  # choices (fixed ones; baseline_segment's come from the data)
    data: bool = False  # default from the warehouse


# In resolution order: a choice comes before the inputs whose default it picks.
INPUTS: tuple[Input, ...] = (
    Input("shock_mode", "choice", "lever", options=("percent", "new_price")),
    Input("gpu_price_change_pct", "number", "lever", "%+.0f%%"),
    Input("baseline_segment", "choice", "lever", data=True),
    Input("new_gpu_price", "number", "lever", "$%.2f"),
    Input("decentralised_share", "number", "lever", "percent"),
    Input("decentralised_discount", "number", "lever", "percent"),
    Input("conduct_market", "choice", "market", options=("ai_assistants", "cloud_infrastructure", "manual"),
          data=True),
    Input("hhi", "number", "lever", "%.0f", data=True),
    Input("conduct_model", "choice", "market", options=pt.CONDUCT_MODELS),
    Input("substitutability", "number", "market", "%.1f"),
    Input("market_power", "number", "market", "%.2f"),
    Input("demand_elasticity", "number", "market", "%.1f"),
    Input("demand_curvature", "choice", "market", options=pt.CURVATURE_CHOICES),
    Input("custom_curvature", "number", "market", "%.2f"),
    Input("marginal_cost_elasticity", "number", "market", "%.1f"),
    Input("users_basis", "choice", "service", options=tuple(USERS_INDICATORS), data=True),
    Input("users_millions", "number", "service", "%.1f M", data=True),
    Input("compute_cost_route", "choice", "service", options=("messages", "tokens", "legacy_700k"), data=True),
    Input("compute_cost_per_user_month", "number", "service", "$%.3f", data=True),
    Input("ad_revenue_per_user_month", "number", "service", "$%.2f"),
    Input("latency_elasticity", "number", "service", "%.1f"),
    Input("split_fees", "number", "split", "percent"),
    Input("split_ads", "number", "split", "percent"),
    Input("split_quality", "number", "split", "percent"),
)
INPUT = {i.name: i for i in INPUTS}
LEVERS = tuple(i.name for i in INPUTS if i.group == "lever")
# Fixed defaults (model defaults); data-derived ones are resolved from the warehouse.
STATIC_DEFAULTS: dict[str, object] = {
    "shock_mode": "percent", "gpu_price_change_pct": S.cost_shock_pct, "decentralised_share": S.decentralised_share,
    "decentralised_discount": S.decentralised_discount, "conduct_model": A.conduct_model,
    "substitutability": A.substitutability, "market_power": A.theta_S_manual, "demand_elasticity": A.eps_D,
    "demand_curvature": A.curvature, "custom_curvature": A.xi_custom, "marginal_cost_elasticity": A.eta_S,
    "ad_revenue_per_user_month": S.ad_revenue_per_user_month_usd, "latency_elasticity": S.latency_elasticity,
    "split_fees": S.split_fees, "split_ads": S.split_ads, "split_quality": S.split_quality,
}
PINS = {"users_millions": "pin_users", "hhi": "pin_hhi", "compute_cost_per_user_month": "pin_compute_cost",
        "baseline_price": "pin_price"}
VERSION_PARAM, SNAPSHOT_PARAM = "model_version", "snapshot"
PIN_LABELS = {"users_millions": "users (million)", "hhi": "HHI used for conduct",
              "compute_cost_per_user_month": "compute cost per user-month (USD)",
              "baseline_price": "baseline GPU price (USD per GPU-hour)"}
# Choice -> the data-derived inputs whose default it picks (the page resets them when it changes).
DEPENDENTS = {"users_basis": ("users_millions", "compute_cost_per_user_month"),
              "baseline_segment": ("compute_cost_per_user_month",),
              "compute_cost_route": ("compute_cost_per_user_month",), "conduct_market": ("hhi",)}
PIN_OF_CHOICE = {"users_basis": ("pin_users", "pin_compute_cost"), "baseline_segment": ("pin_price", "pin_compute_cost"),
                 "compute_cost_route": ("pin_compute_cost",), "conduct_market": ("pin_hhi",)}

# --------------------------------------------------------------------------- model version 1 links
LEGACY_NAMES = {  # v1 URL parameter -> v2 input (None: dropped, it moved no output)
    "sc_shock_mode": "shock_mode", "sc_shock": "gpu_price_change_pct", "sc_base": "baseline_segment",
    "sc_new_price": "new_gpu_price", "sc_dshare": "decentralised_share", "sc_ddisc": "decentralised_discount",
    "sc_hhi": "hhi", "sc_eps": "demand_elasticity", "sc_curve": "demand_curvature", "sc_xi": "custom_curvature",
    "sc_eta": "marginal_cost_elasticity", "sc_conduct": "conduct_market", "sc_theta": "market_power",
    "sc_cshare": None, "sc_cpu": "compute_cost_per_user_month", "sc_users": "users_millions",
    "sc_fees": "split_fees", "sc_ads": "split_ads", "sc_quality": "split_quality",
    "sc_adrev": "ad_revenue_per_user_month", "sc_lat": "latency_elasticity",
    "sc_pin_users": "pin_users", "sc_pin_hhi": "pin_hhi", "sc_pin_price": "pin_price",
    "sc_v": VERSION_PARAM, "sc_snap": SNAPSHOT_PARAM,
}
LEGACY_VALUES = {"shock_mode": {"percent change": "percent", "new price": "new_price"},
                 "demand_curvature": {"constant elasticity": "constant_elasticity"},
                 "conduct_market": {"from HHI": "cloud_infrastructure", "set directly": "manual"}}
V1_DEFAULTS = {  # what a version 1 link left implicit: v1 counted monthly users, priced compute by the
    # undated $700k-a-day estimate and took conduct from the cloud HHI under Cournot.
    "users_basis": "monthly", "compute_cost_route": "legacy_700k", "compute_cost_per_user_month": 0.12,
    "conduct_market": "cloud_infrastructure", "conduct_model": "cournot", "users_millions": 180.5,
}


def upgrade(params: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """Translate a model version 1 link (`sc_*` parameters) into version 2 names with v1's defaults.

    Returns (params, the link's version if it was a version 1 link, else None). Parameters that are not
    version 1's pass through unchanged.
    """
    if not any(key in LEGACY_NAMES for key in params):
        return dict(params), None
    out: dict[str, str] = {k: v for k, v in params.items() if k not in LEGACY_NAMES}
    for key, value in params.items():
        new = LEGACY_NAMES.get(key)
        if new:
            out[new] = LEGACY_VALUES.get(new, {}).get(value, value)
    version = out.pop(VERSION_PARAM, "1")
    for name, value in V1_DEFAULTS.items():
        if name == "users_millions":
            out.setdefault(name, out.get("pin_users", str(value)))
        else:
            out.setdefault(name, str(value))
    out.pop("pin_users", None)  # now an explicit value: version 1's users are not today's default
    if "hhi" not in out and "pin_hhi" in out:
        out["hhi"] = out.pop("pin_hhi")
    return out, version


# --------------------------------------------------------------------------- compute-cost routes
@dataclass(frozen=True)
class Route:
    """One way of deriving the compute cost per user-month from sourced figures."""

    name: str
    label: str
    value: float | None  # USD per user-month, None when a figure is missing
    formula: str
    figures: tuple[Figure, ...] = ()
    missing: str | None = None
    in_range: bool = True  # part of the band's compute-cost range (the undated legacy route is not)

    @property
    def as_of(self) -> str | None:
        dates = [f.as_of for f in self.figures if f.as_of]
        return min(dates) if dates else None


def _usd(value: float) -> str:
    """$2.49, or $4.065 when the cents would hide a digit the arithmetic uses."""
    return f"${value:.2f}" if round(value, 2) == round(value, 6) else f"${value:.3f}"


def compute_cost_routes(data: DataInputs, users_millions: float, price: Figure | None) -> tuple[Route, ...]:
    """The compute cost per user-month by each route, for `users_millions` users (docs/METHODOLOGY.md §2.7).

    messages: m bn messages a day x (E Wh a query / P W) GPU-hours a message x p USD per GPU-hour x 365/12
              / users. tokens: T trillion tokens a day x c USD per 1M tokens x 365/12 / users.
    legacy_700k: USD 700,000 a day x 365/12 / users (undated, tertiary; model version 1's figure).
    """
    f = data.figures
    users = users_millions * 1e6
    routes = []
    need = [f.get(k) for k in ("messages_per_day", "energy_per_query", "gpu_power")]
    if all(need) and price is not None and users > 0:
        m, e, w = (x.value for x in need)
        value = m * 1e9 * (e / w) * price.value * DAYS_PER_MONTH / users
        formula = (f"{m:g}bn messages/day x ({e:g} Wh / {w:g} W) GPU-h/message x {_usd(price.value)}/GPU-h x 365/12 "
                   f"/ {users_millions:,.1f}M users")
        routes.append(Route("messages", "ChatGPT messages x compute per message", value, formula,
                            (*need, price)))
    else:
        why = PRICE_UNAVAILABLE if price is None else "a figure is missing from the warehouse"
        routes.append(Route("messages", "ChatGPT messages x compute per message", None, "", missing=why))
    need = [f.get(k) for k in ("tokens_per_day", "price_per_million_tokens")]
    if all(need) and users > 0:
        t, c = (x.value for x in need)
        value = t * 1e12 / 1e6 * c * DAYS_PER_MONTH / users
        formula = f"{t:g}T tokens/day x ${c:g} per 1M tokens x 365/12 / {users_millions:,.1f}M users"
        routes.append(Route("tokens", "OpenAI API tokens x price per million tokens", value, formula, tuple(need)))
    else:
        routes.append(Route("tokens", "OpenAI API tokens x price per million tokens", None, "",
                            missing="a figure is missing from the warehouse"))
    legacy = LEGACY_COST_USD_PER_DAY * DAYS_PER_MONTH / users if users > 0 else None
    routes.append(Route("legacy_700k", "undated '$700k a day' estimate (model version 1)", legacy,
                        f"$700,000/day x 365/12 / {users_millions:,.1f}M users", (), in_range=False,
                        missing=None if legacy is not None else "no users"))
    return tuple(routes)


# --------------------------------------------------------------------------- resolution
def _number(name: str, raw: object) -> float | None:
    control = FIELDS[name]
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and control.low <= value <= control.high else None


def _pin(params: Mapping[str, str], key: str, bounds_of: str | None) -> float | None:
    raw = params.get(key)
    if raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value) or value <= 0 and key != "pin_hhi":
        return None
    if bounds_of and not FIELDS[bounds_of].low <= value <= FIELDS[bounds_of].high:
        return None
    return value


@dataclass(frozen=True)
class Resolved:
    """Every input's value, with the figure behind each data-derived one, and what the link pinned."""

    values: dict[str, object]
    explicit: frozenset[str]  # inputs whose value was given (and valid)
    sources: dict[str, Figure | None]
    price: Figure | None
    routes: tuple[Route, ...]
    pins: dict[str, float]  # data-derived values used, for the permalink
    differs: dict[str, tuple[float, float]]  # pinned value -> today's, where they differ
    notices: tuple[str, ...]
    legacy_version: str | None
    link_snapshot: str | None  # the snapshot the link names
    snapshot: str | None  # the snapshot whose data the numbers use: the link's if its pins differ, else today's
    segments: tuple[str, ...]

    def route(self, name: str) -> Route:
        return next(r for r in self.routes if r.name == name)


def options(name: str, data: DataInputs) -> tuple[str, ...]:
    """The values a choice input accepts with these data (the baseline segments come from the warehouse)."""
    if name == "baseline_segment":
        return tuple(data.segments) or ("none",)
    return INPUT[name].options


def _fallback_users() -> Figure:
    return Figure(S.users_millions, "million", "ChatGPT monthly users, Jan 2024", MODEL_DEFAULT, "2024-01",
                  from_data=False)


def resolve(params: Mapping[str, object], data: DataInputs) -> Resolved:
    """Each input's value: the given one where valid, else its default (data-derived from pins or today's data).

    `params` maps input names (and `pin_*`, `model_version`, `snapshot`, or version 1's `sc_*`) to values;
    strings as in a URL, or already-typed values from widgets. Invalid values are ignored with a notice.
    """
    params, legacy = upgrade({k: v for k, v in params.items() if v is not None})
    notices: list[str] = []
    values: dict[str, object] = {}
    explicit: set[str] = set()
    sources: dict[str, Figure | None] = {}
    pins: dict[str, float] = {}
    differs: dict[str, tuple[float, float]] = {}

    def given(name: str) -> object | None:
        raw = params.get(name)
        if raw is None:
            return None
        spec = INPUT[name]
        if spec.kind == "choice":
            if str(raw) in options(name, data):
                return str(raw)
        else:
            value = _number(name, raw)
            if value is not None:
                return value
        notices.append(f"Ignored {name}={raw} (not a valid {FIELDS[name].label.lower()}); using the default.")
        return None

    def pinned(key: str, today: float | None, bounds_of: str | None) -> float | None:
        value = _pin(params, PINS[key], bounds_of)
        if params.get(PINS[key]) is not None and value is None:
            notices.append(f"Ignored {PINS[key]}={params[PINS[key]]} (not a valid {PIN_LABELS[key]}); "
                           "using today's data.")
        if value is None:
            return today
        if today is not None and not math.isclose(value, today, rel_tol=1e-9, abs_tol=1e-9):
            differs[key] = (value, today)
        return value

    def take(name: str, default: object) -> object:
        value = given(name)
        if value is None:
            value = default
        else:
            explicit.add(name)
        values[name] = value
        return value

    take("shock_mode", STATIC_DEFAULTS["shock_mode"])
    take("gpu_price_change_pct", STATIC_DEFAULTS["gpu_price_change_pct"])
    segment = take("baseline_segment", options("baseline_segment", data)[0])
    today_price = data.prices.get(str(segment))
    price_value = pinned("baseline_price", today_price.value if today_price else None, "new_gpu_price")
    price = None
    if price_value is not None:
        price = today_price if today_price and price_value == today_price.value else Figure(
            price_value, "USD per GPU-hour", f"{GPU_MODEL} baseline price pinned by the link", "permalink",
            None)
        pins["baseline_price"] = price_value
    sources["baseline_segment"] = price
    default_new = round(round((price_value or S.baseline_price_usd_per_gpu_hour) * 1.4 / 0.05) * 0.05, 2)
    take("new_gpu_price", min(max(default_new, FIELDS["new_gpu_price"].low), FIELDS["new_gpu_price"].high))
    take("decentralised_share", STATIC_DEFAULTS["decentralised_share"])
    take("decentralised_discount", STATIC_DEFAULTS["decentralised_discount"])

    market_default = next((m for m in HHI_MARKETS if m in data.hhi), "manual")
    market = take("conduct_market", market_default)
    figure = data.hhi.get(str(market)) or data.hhi.get(market_default)
    hhi_today = figure.value if figure else A.hhi
    hhi_value = pinned("hhi", hhi_today, "hhi")
    pins["hhi"] = hhi_value
    take("hhi", hhi_value)
    sources["hhi"] = figure if figure and "hhi" not in explicit and hhi_value == figure.value else None
    sources["conduct_market"] = figure
    for name in ("conduct_model", "substitutability", "market_power", "demand_elasticity", "demand_curvature",
                 "custom_curvature", "marginal_cost_elasticity"):
        take(name, STATIC_DEFAULTS[name])

    newest = max(data.users, key=lambda b: (data.users[b].as_of or ""), default="weekly")
    basis = take("users_basis", newest)
    users_fig = data.users.get(str(basis)) or _fallback_users()
    users_data = pinned("users_millions", users_fig.value, "users_millions")
    pins["users_millions"] = users_data
    users = take("users_millions", users_data)
    sources["users_basis"] = users_fig
    sources["users_millions"] = users_fig if "users_millions" not in explicit and users == users_fig.value else None

    # Routes are computed at the data's users figure: moving the users slider scales the aggregate.
    routes = compute_cost_routes(data, float(users_data), price)
    available = [r.name for r in routes if r.value is not None]
    route_name = take("compute_cost_route", available[0] if available else "legacy_700k")
    route = next(r for r in routes if r.name == route_name)
    if route.value is None:
        notices.append(f"The {route.label} route is {route.missing}; using the model default compute cost.")
    cost_today = route.value if route.value is not None else S.compute_cost_per_user_month_usd
    cost_data = pinned("compute_cost_per_user_month", cost_today, None)
    pins["compute_cost_per_user_month"] = cost_data
    take("compute_cost_per_user_month", round(cost_data, 6))
    sources["compute_cost_per_user_month"] = None

    for name in ("ad_revenue_per_user_month", "latency_elasticity", "split_fees", "split_ads", "split_quality"):
        take(name, STATIC_DEFAULTS[name])

    version = params.get(VERSION_PARAM, legacy)
    if version is not None and str(version) != pt.MODEL_VERSION:
        notices.append(f"This link was made with model version {version}; it is reproduced with that "
                       f"version's inputs on model version {pt.MODEL_VERSION}.")
    old = str(version) if version is not None and str(version) != pt.MODEL_VERSION else None
    link_snapshot = params.get(SNAPSHOT_PARAM)
    snapshot = link_snapshot if link_snapshot and (differs or old) else data.snapshot
    return Resolved(values, frozenset(explicit), sources, price, routes, pins, differs, tuple(notices), old,
                    link_snapshot, snapshot, options("baseline_segment", data))


def active(values: Mapping[str, object], resolved: Resolved | None = None) -> dict[str, str | None]:
    """Input name -> None when it moves an output with these settings, else the reason it does not."""
    reasons: dict[str, str | None] = {i.name: None for i in INPUTS}
    manual = values["conduct_market"] == "manual"
    if values["shock_mode"] == "percent":
        reasons["new_gpu_price"] = "the shock is given as a percentage"
    else:
        reasons["gpu_price_change_pct"] = "the shock is given as a new price"
    price_needed = values["shock_mode"] == "new_price" or (
        values["compute_cost_route"] == "messages" and "compute_cost_per_user_month" not in (
            resolved.explicit if resolved else ()))
    if resolved is not None and resolved.price is None:
        reasons["baseline_segment"] = f"the baseline GPU price is {PRICE_UNAVAILABLE}"
        reasons["shock_mode"] = f"a new price needs the baseline GPU price, {PRICE_UNAVAILABLE}"
        reasons["new_gpu_price"] = f"the baseline GPU price is {PRICE_UNAVAILABLE}"
    elif not price_needed:
        reasons["baseline_segment"] = ("the baseline price is used only by a new-price shock or the messages "
                                       "route")
    if float(values["decentralised_share"]) <= 0:  # type: ignore[arg-type]
        reasons["decentralised_discount"] = "no compute is bought from decentralised supply"
    if manual:
        reasons["hhi"] = "the market-power index is set directly"
        reasons["substitutability"] = "the market-power index is set directly"
        reasons["conduct_model"] = ("with the market-power index set directly, Lemma 1 and Lemma 4 are the same "
                                    "formula")
    else:
        reasons["market_power"] = "the market-power index comes from the HHI"
        if values["conduct_model"] != "bertrand":
            reasons["substitutability"] = "used by the Bertrand model only"
    if values["demand_curvature"] != "custom":
        reasons["custom_curvature"] = "used only when the curvature preset is 'custom'"
    if resolved is not None and "compute_cost_per_user_month" in resolved.explicit:
        reasons["compute_cost_route"] = "a compute cost per user is set directly"
        if "users_millions" in resolved.explicit:
            reasons["users_basis"] = "both the users and the compute cost per user are set directly"
    if float(values["split_ads"]) <= 0:  # type: ignore[arg-type]
        reasons["ad_revenue_per_user_month"] = "no cost is passed on as ads"
    if float(values["split_quality"]) <= 0:  # type: ignore[arg-type]
        reasons["latency_elasticity"] = "no cost is passed on as lower quality"
    return reasons


def build(values: Mapping[str, object], baseline_price: float | None) -> tuple[pt.Assumptions, pt.Scenario, list[str]]:
    """Assumptions and Scenario from input values; splits that do not sum to 1 are rescaled (noted)."""
    notes = []
    splits = tuple(float(values[k]) for k in ("split_fees", "split_ads", "split_quality"))  # type: ignore[arg-type]
    if abs(sum(splits) - 1) > 1e-6:
        try:
            splits = pt.normalise_splits(*splits)
            notes.append("The three channel shares did not add up to 100%, so they were rescaled to fees "
                         f"{splits[0]:.0%}, ads {splits[1]:.0%}, quality {splits[2]:.0%}.")
        except ValueError:
            splits = (S.split_fees, S.split_ads, S.split_quality)
            notes.append("All three channel shares are zero; using the default split 50% / 25% / 25%.")
    manual = values["conduct_market"] == "manual"
    assumptions = pt.Assumptions(
        eps_D=float(values["demand_elasticity"]), curvature=str(values["demand_curvature"]),  # type: ignore[arg-type]
        xi_custom=float(values["custom_curvature"]), eta_S=float(values["marginal_cost_elasticity"]),  # type: ignore[arg-type]
        conduct_mode="manual" if manual else "hhi", hhi=float(values["hhi"]),  # type: ignore[arg-type]
        theta_S_manual=float(values["market_power"]), conduct_model=str(values["conduct_model"]),  # type: ignore[arg-type]
        substitutability=float(values["substitutability"]))  # type: ignore[arg-type]
    new_price = values["shock_mode"] == "new_price" and baseline_price is not None
    scenario = pt.Scenario(
        cost_shock_pct=float(values["gpu_price_change_pct"]),  # type: ignore[arg-type]
        baseline_price_usd_per_gpu_hour=baseline_price or S.baseline_price_usd_per_gpu_hour,
        new_price_usd_per_gpu_hour=float(values["new_gpu_price"]) if new_price else None,  # type: ignore[arg-type]
        compute_cost_per_user_month_usd=float(values["compute_cost_per_user_month"]),  # type: ignore[arg-type]
        users_millions=float(values["users_millions"]),  # type: ignore[arg-type]
        decentralised_share=float(values["decentralised_share"]),  # type: ignore[arg-type]
        decentralised_discount=float(values["decentralised_discount"]),  # type: ignore[arg-type]
        split_fees=splits[0], split_ads=splits[1], split_quality=splits[2],
        ad_revenue_per_user_month_usd=float(values["ad_revenue_per_user_month"]),  # type: ignore[arg-type]
        latency_elasticity=float(values["latency_elasticity"]))  # type: ignore[arg-type]
    return assumptions, scenario, notes


# --------------------------------------------------------------------------- outputs and runs
class Output(NamedTuple):
    """One model output as the page shows it."""

    field: str  # pt.Result attribute
    short: str  # name in charts
    label: str  # metric card label
    unit: str
    help: str
    worse_up: bool  # higher is worse for users


OUTPUTS = tuple(Output(*o) for o in (
    ("cost_change_usd_per_user_month", "Extra compute cost", "Cost change, $/user-month",
     "USD per user-month", "Change in compute cost per user per month after blending in decentralised supply (Δc).",
     True),
    ("passed_through_usd_per_user_month", "Passed on to users", "Passed on, $/user-month",
     "USD per user-month", "ρ × Δc: the part of the cost change users bear, through fees, ads or quality.", True),
    ("absorbed_usd_per_user_month", "Absorbed by AI firms", "Firms absorb, $/user-month",
     "USD per user-month", "(1 − ρ) × Δc: the part AI firms absorb in their margins (negative if they over-shift).",
     False),
    ("consumer_cost_usd_bn_per_year", "Cost to users per year", "Cost to all users, per year", "USD bn per year",
     "Passed-on amount × 12 months × users.", True),
    ("rho", "Pass-through rate ρ", "Pass-through rate ρ", "share of the cost change",
     "Ritz (2024) Lemma 1 (Cournot) or Lemma 4 (Bertrand); 1 means all of it is passed on, above 1 more than "
     "all of it.", True),
    ("fee_change_usd_per_month", "Subscription fee change", "Subscription fee, $ a month", "USD per month",
     "Fee channel, averaged over all users (a fee charged to paying users only would be larger).", True),
    ("ad_load_change_pct", "Ad load change", "Ad load", "%",
     "Ad channel ÷ ad revenue per user, at a constant revenue per ad.", True),
    ("compute_cut_pct", "Cut in compute per query", "Cut in compute per query", "% of compute per query",
     "Quality channel: the cut in compute per query (fewer reasoning tokens, a smaller model, rate limits) "
     "that saves the quality amount.", True),
    ("response_time_change_pct", "Response time change", "Response time", "% (positive = slower)",
     "What the compute cut means for speed: (1 − cut)^elasticity − 1; positive = slower answers.", True),
    ("lerner", "Lerner markup", "Lerner markup", "share of price",
     "(p − MC)/p = market-power index / ε: the margin the absorbed part eats into (Ritz 2024 §2).", False),
))
OUTPUT = {o.field: o for o in OUTPUTS}
CHART_OUTPUTS = ("passed_through_usd_per_user_month", "consumer_cost_usd_bn_per_year", "fee_change_usd_per_month",
                 "ad_load_change_pct", "compute_cut_pct", "response_time_change_pct")
JSON_OUTPUTS = {  # JSON name -> pt.Result field
    "pass_through_rate": "rho", "market_power_index": "theta_S", "lerner_markup": "lerner",
    "gpu_price_shock_pct": "gpu_price_shock_pct", "effective_cost_shock_pct": "effective_cost_shock_pct",
    "cost_change_usd_per_user_month": "cost_change_usd_per_user_month",
    "passed_through_usd_per_user_month": "passed_through_usd_per_user_month",
    "absorbed_usd_per_user_month": "absorbed_usd_per_user_month",
    "fee_change_usd_per_month": "fee_change_usd_per_month", "ad_load_change_pct": "ad_load_change_pct",
    "compute_cut_pct": "compute_cut_pct", "response_time_change_pct": "response_time_change_pct",
    "consumer_cost_usd_bn_per_year": "consumer_cost_usd_bn_per_year",
    "absorbed_usd_bn_per_year": "absorbed_usd_bn_per_year",
}
RUNS = ("Default baseline", "Your baseline", "Scenario")


# --------------------------------------------------------------------------- sensitivity range (the band)
BAND_PERCENTILES = (10.0, 90.0)
GRID_CURVATURES = ("linear", "quadratic", "exponential", "constant_elasticity")  # ξ 0, 1/2, 1, 1 + 1/ε
GRID_ETA = (0.0, 0.5, 1.0)  # flat marginal cost (rented compute) to quadratic costs (a capacity squeeze)
GRID_EPS_FACTORS = (0.5, 1.0, 2.0)  # half to twice your demand elasticity: no AI-specific estimate exists
BAND_NOTE = ("Sensitivity range, not a probability interval: the 10th to 90th percentile of the outcomes over a "
             "stated grid of inputs: demand curvature linear, quadratic, exponential and constant elasticity; "
             "marginal-cost elasticity η 0, 0.5 and 1; demand elasticity half, equal to and twice yours; compute "
             "cost per user at the lowest and highest sourced route and the default; conduct from the AI-assistant "
             "and from the cloud HHI. Every grid point counts once; none is more likely than another.")


@dataclass(frozen=True)
class Band:
    """Percentiles of outcomes over the documented grid (a sensitivity range, not a probability interval)."""

    grid: dict[str, list]
    n_points: int
    n_invalid: int
    rho: dict[str, float]
    consumer_cost: dict[str, float]
    coefficients: np.ndarray  # consumer cost per +1% GPU price change, one per valid grid point

    def to_dict(self) -> dict:
        return {"label": "sensitivity range over a documented grid, not a probability interval",
                "percentiles": list(BAND_PERCENTILES), "grid": self.grid, "n_points": self.n_points,
                "n_invalid": self.n_invalid, "pass_through_rate": self.rho,
                "consumer_cost_usd_bn_per_year": self.consumer_cost}


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {k: float("nan") for k in ("p10", "p50", "p90", "min", "max")}
    arr = np.asarray(values)
    low, high = BAND_PERCENTILES
    return {"p10": float(np.percentile(arr, low)), "p50": float(np.percentile(arr, 50)),
            "p90": float(np.percentile(arr, high)), "min": float(arr.min()), "max": float(arr.max())}


def sensitivity(resolved: Resolved, data: DataInputs, assumptions: pt.Assumptions, scenario: pt.Scenario) -> Band:
    """Outcomes over the grid of BAND_NOTE around your settings (docs/METHODOLOGY.md §2.7, item 5)."""
    values = resolved.values
    if "compute_cost_per_user_month" in resolved.explicit:
        costs = [scenario.compute_cost_per_user_month_usd]
    else:
        sourced = [r.value for r in resolved.routes if r.in_range and r.value is not None]
        point = scenario.compute_cost_per_user_month_usd
        costs = sorted({round(c, 6) for c in (min(sourced, default=point), point, max(sourced, default=point))})
    if values["conduct_market"] == "manual":
        conducts = [("manual", assumptions.hhi)]
    else:
        conducts = [(str(values["conduct_market"]), assumptions.hhi)] + [
            (m, f.value) for m, f in data.hhi.items() if m != values["conduct_market"]]
    grid = {"demand_curvature": list(GRID_CURVATURES), "marginal_cost_elasticity": list(GRID_ETA),
            "demand_elasticity": [round(assumptions.eps_D * k, 6) for k in GRID_EPS_FACTORS],
            "compute_cost_per_user_month": [round(c, 6) for c in costs],
            "conduct_market": [f"{m} (HHI {h:,.0f})" for m, h in conducts]}
    # Each cost's scenario, and the same at a +1% shock, once: they do not depend on the other grid axes
    # (building them in the loop was 40% of the range's time, and the range most of a slider press's model).
    scenarios = []
    for cost in costs:
        s = dataclasses.replace(scenario, compute_cost_per_user_month_usd=cost)
        try:
            scenarios.append((s, dataclasses.replace(s, cost_shock_pct=1.0, new_price_usd_per_gpu_hour=None)))
        except ValueError:
            scenarios.append((s, None))
    rhos, totals, coefficients, invalid, n = [], [], [], 0, 0
    for curve in GRID_CURVATURES:
        for eta in GRID_ETA:
            for k in GRID_EPS_FACTORS:
                for _, hhi in conducts:
                    a = dataclasses.replace(assumptions, curvature=curve, eta_S=eta, eps_D=assumptions.eps_D * k,
                                            hhi=hhi)
                    for s, at_one_percent in scenarios:
                        n += 1
                        if at_one_percent is None:  # no valid +1% twin: the point is invalid, as before
                            invalid += 1
                            continue
                        try:
                            result = pt.simulate(a, s)
                            unit = pt.simulate(a, at_one_percent)
                        except ValueError:
                            invalid += 1
                            continue
                        rhos.append(result.rho)
                        totals.append(result.consumer_cost_usd_bn_per_year)
                        coefficients.append(unit.consumer_cost_usd_bn_per_year)
    return Band(grid, n, invalid, _summary(rhos), _summary(totals), np.asarray(coefficients))


# --------------------------------------------------------------------------- net of trend
def trend_frame(result: pt.Result, trends: tuple[Trend, ...]) -> pd.DataFrame:
    """The shock against a year of the inference-price trend (docs/METHODOLOGY.md §2.7, item 6).

    For a trend of k-fold a year, a compute-cost change of s (the blended, effective shock) equals
    365 x ln(1 + s) / ln(k) days of the trend; a year on, cost is (1 + s) / k of today's with the
    shock and 1 / k without it.
    """
    s = result.effective_cost_shock_pct / 100.0
    rows = []
    for t in trends:
        if t.factor_per_year <= 1:
            continue
        days = 365.0 * math.log1p(s) / math.log(t.factor_per_year)
        rows.append({"trend": t.label, "factor_per_year": t.factor_per_year, "days_of_trend": days,
                     "cost_in_a_year_with_shock_pct": ((1 + s) / t.factor_per_year - 1) * 100,
                     "cost_in_a_year_trend_only_pct": (1 / t.factor_per_year - 1) * 100,
                     "source": t.source, "as_of": t.as_of})
    return pd.DataFrame(rows, columns=["trend", "factor_per_year", "days_of_trend", "cost_in_a_year_with_shock_pct",
                                       "cost_in_a_year_trend_only_pct", "source", "as_of"])


def trend_sentence(frame: pd.DataFrame, shock_pct: float) -> str:
    """One sentence: how many days of the inference-price decline the shock undoes (or adds)."""
    if frame.empty:
        return "No inference-price trend is in the warehouse, so the shock is shown without its trend."
    verb = "undoes" if shock_pct >= 0 else "adds"
    days = frame["days_of_trend"].abs()
    ten = frame[frame["factor_per_year"] == 10]
    lead = f"about {days[ten.index[0]]:.0f} days of a 10x-a-year decline (a16z), " if not ten.empty else ""
    return (f"A {shock_pct:+.0f}% change in compute cost {verb} {lead}{days.min():.0f}-{days.max():.0f} days across "
            "the published trends: LLM inference prices at constant capability fall 9x-900x a year (Epoch AI), so "
            "a year of the trend outweighs the shock, if the service rides it.")


# --------------------------------------------------------------------------- evaluate
@dataclass(frozen=True)
class Evaluation:
    """Everything the page and the command line show for one set of inputs."""

    resolved: Resolved
    reasons: dict[str, str | None]
    runs: dict[str, tuple[pt.Assumptions, pt.Scenario, pt.Result]]
    notes: tuple[str, ...]
    band: Band
    trend: pd.DataFrame
    current: Resolved  # today's defaults, to say how the link's data differ

    @property
    def scenario(self) -> pt.Result:
        return self.runs["Scenario"][2]

    @property
    def baseline(self) -> pt.Result:
        return self.runs["Default baseline"][2]

    def result(self, name: str) -> pt.Result:
        return self.runs[name][2]

    @property
    def data_differ(self) -> list[str]:
        """What today's data give where the link used other data (old version, or pins that moved)."""
        out = []
        link, now = self.resolved, self.current
        for name, (old, new) in link.differs.items():
            out.append(f"{PIN_LABELS[name]}: {old:,.4g} in the link, {new:,.4g} today")
        if link.legacy_version:
            for name in ("users_basis", "users_millions", "conduct_market", "hhi", "compute_cost_route",
                         "compute_cost_per_user_month"):
                old, new = link.values[name], now.values[name]
                if old != new:
                    out.append(f"{FIELDS[name].label.lower()}: {_show(old)} in the link, {_show(new)} today")
        return out


def _show(value: object) -> str:
    return f"{value:,.4g}" if isinstance(value, float) else str(value)


def evaluate(params: Mapping[str, object], data: DataInputs) -> Evaluation:
    """Resolve the inputs, run the three runs, the sensitivity range and the trend view.

    Raises ValueError (naming the run) when the settings have no valid market outcome.
    """
    resolved = resolve(params, data)
    pin_params = {k: v for k, v in params.items() if k.startswith("pin_")}
    current = resolve({}, data)
    # The default baseline keeps the link's data (pins, or a version 1 link's implicit defaults).
    base_params = dict(pin_params)
    if resolved.legacy_version:
        base_params |= {k: v for k, v in upgrade(params)[0].items() if k in V1_DEFAULTS or k.startswith("pin_")}
        base_params |= {k: resolved.values[k] for k in ("users_millions", "hhi") if k in resolved.values}
    default = resolve(base_params, data)
    assumptions, scenario, notes = build(resolved.values, resolved.price.value if resolved.price else None)
    base_a, base_s, _ = build(default.values, default.price.value if default.price else None)
    lever_fields = ("cost_shock_pct", "baseline_price_usd_per_gpu_hour", "new_price_usd_per_gpu_hour",
                    "decentralised_share", "decentralised_discount")
    yours_a = dataclasses.replace(assumptions, hhi=base_a.hhi)
    yours_s = dataclasses.replace(scenario, **{f: getattr(base_s, f) for f in lever_fields})
    runs = {}
    for name, (a, s) in (("Default baseline", (base_a, base_s)), ("Your baseline", (yours_a, yours_s)),
                         ("Scenario", (assumptions, scenario))):
        try:
            runs[name] = (a, s, pt.simulate(a, s))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from error
    band = sensitivity(resolved, data, assumptions, scenario)
    trend = trend_frame(runs["Scenario"][2], data.trends)
    return Evaluation(resolved, active(resolved.values, resolved), runs, tuple(notes), band, trend, current)


def input_table(ev: Evaluation) -> dict[str, dict]:
    """Input name -> {value, unit, source, as_of, active} (and `reason` when inactive)."""
    out = {}
    r = ev.resolved
    for spec in INPUTS:
        name = spec.name
        figure = r.sources.get(name)
        source, as_of = "assumption", None
        if name == "compute_cost_per_user_month" and name not in r.explicit:
            route = r.route(str(r.values["compute_cost_route"]))
            source = f"route '{route.name}': {route.formula}" if route.value is not None else MODEL_DEFAULT
            as_of = route.as_of
        elif name == "compute_cost_route":
            route = r.route(str(r.values[name]))
            figures = ", ".join(dict.fromkeys(f.source for f in route.figures))
            source = f"{route.label}" + (f" ({figures})" if figures else "")
            as_of = route.as_of
        elif name == "baseline_segment" and r.price is None:
            source = f"baseline GPU price {PRICE_UNAVAILABLE}"
        elif figure is not None:
            source, as_of = figure.source, figure.as_of
        elif name in r.explicit:
            source = "set by you"
        elif spec.data:
            source = "pinned by the link" if name in ("hhi", "users_millions") else MODEL_DEFAULT
        value = r.values[name]
        row = {"value": value, "unit": FIELDS[name].unit, "source": source, "as_of": as_of,
               "active": ev.reasons[name] is None}
        if ev.reasons[name]:
            row["reason"] = ev.reasons[name]
        out[name] = row
    return out


def to_json(ev: Evaluation) -> dict:
    """The document `python -m dashboard scenario --json` prints (and the page offers for download)."""
    result = ev.scenario
    price = ev.resolved.price
    return {
        "model_version": pt.MODEL_VERSION,
        "warehouse_snapshot": ev.resolved.snapshot,
        "inputs": input_table(ev),
        "baseline_gpu_price": {"value": price.value if price else None, "unit": "USD per GPU-hour",
                               "source": price.source if price else PRICE_UNAVAILABLE,
                               "as_of": price.as_of if price else None,
                               "label": price.label if price else None},
        "compute_cost_routes": [{"route": r.name, "label": r.label, "value_usd_per_user_month": r.value,
                                 "formula": r.formula, "in_range": r.in_range, "missing": r.missing,
                                 "figures": [{"value": f.value, "unit": f.unit, "label": f.label, "source": f.source,
                                              "as_of": f.as_of} for f in r.figures]} for r in ev.resolved.routes],
        "outputs": {name: getattr(result, f) for name, f in JSON_OUTPUTS.items()},
        "band": ev.band.to_dict(),
        "net_of_trend": ev.trend.to_dict(orient="records"),
        "runs": {name: {name2: getattr(r, f) for name2, f in JSON_OUTPUTS.items()} for name, (_, _, r) in
                 ev.runs.items()},
        "notices": list(ev.resolved.notices) + list(ev.notes),
        "current_data_differ": ev.data_differ,
        "note": "Not a forecast. The split across fees, ads and quality is an assumption with no sourced values.",
    }


def permalink_params(ev: Evaluation) -> dict[str, str]:
    """URL parameters that reproduce this evaluation: changed inputs, data pins, model version, snapshot."""
    default = ev.current
    out = {}
    for spec in INPUTS:
        value = ev.resolved.values[spec.name]
        if spec.name in ev.resolved.explicit or value != default.values[spec.name]:
            out[spec.name] = format(value, ".10g") if isinstance(value, float) else str(value)
    for name, key in PINS.items():
        if name in ev.resolved.pins and ev.resolved.pins[name] is not None:
            out[key] = format(ev.resolved.pins[name], ".10g")
    out[VERSION_PARAM] = pt.MODEL_VERSION
    if ev.resolved.snapshot:
        out[SNAPSHOT_PARAM] = ev.resolved.snapshot
    return out


# --------------------------------------------------------------------------- page frames and cards
def band_frame(ev: Evaluation) -> pd.DataFrame:
    """Consumer cost across GPU price changes: the three runs and the sensitivity range's percentiles."""
    shock = ev.scenario.gpu_price_shock_pct
    grid = sorted({*np.linspace(min(-50.0, shock), max(150.0, shock), 41).round(2), round(shock, 2)})
    coef = np.asarray(ev.band.coefficients, dtype=float)
    rows = []
    for x in grid:
        row = {"gpu_price_change_pct": x}
        for name in RUNS:
            a, s, _ = ev.runs[name]
            try:
                row[name] = pt.simulate(a, dataclasses.replace(s, cost_shock_pct=x, new_price_usd_per_gpu_hour=None)
                                        ).consumer_cost_usd_bn_per_year
            except ValueError:
                row[name] = float("nan")
        rows.append(row)
    frame = pd.DataFrame(rows)
    if len(coef):  # each grid point's percentiles of coefficient x shock, all points in one call
        frame["band_low"], frame["band_high"] = np.percentile(np.outer(frame["gpu_price_change_pct"], coef),
                                                              BAND_PERCENTILES, axis=1)
    else:
        frame["band_low"] = frame["band_high"] = np.nan
    return frame


def comparison_frame(ev: Evaluation) -> pd.DataFrame:
    """Long frame: output, unit, run, value (for the three-way bars)."""
    return pd.DataFrame([{"output": OUTPUT[f].short, "unit": OUTPUT[f].unit, "run": name,
                          "value": getattr(ev.result(name), f)} for f in CHART_OUTPUTS for name in RUNS])


def difference_frame(ev: Evaluation) -> pd.DataFrame:
    """Per output: scenario minus default baseline, split into the effect of assumptions and of levers."""
    rows = []
    for f in CHART_OUTPUTS:
        base, yours, scen = (getattr(ev.result(n), f) for n in RUNS)
        scale = abs(base) if abs(base) > 1e-12 else np.nan
        rows.append({"output": OUTPUT[f].short, "unit": OUTPUT[f].unit, "default_baseline": base, "your_baseline": yours,
                     "scenario": scen, "from_assumptions": yours - base, "from_levers": scen - yours,
                     "total": scen - base, "from_assumptions_pct": (yours - base) / scale * 100,
                     "from_levers_pct": (scen - yours) / scale * 100, "total_pct": (scen - base) / scale * 100})
    return pd.DataFrame(rows)


def waterfall_frame(result: pt.Result) -> pd.DataFrame:
    return pd.DataFrame(pt.waterfall(result), columns=["step", "usd_per_user_month"])


def routes_frame(ev: Evaluation) -> pd.DataFrame:
    """The compute-cost routes, one row each, with the one in use marked."""
    chosen = ev.resolved.values["compute_cost_route"]
    return pd.DataFrame([{"route": r.name, "what": r.label, "usd_per_user_month": r.value,
                          "arithmetic": r.formula or r.missing, "oldest input": r.as_of,
                          "in sensitivity range": r.in_range, "in use": r.name == chosen}
                         for r in ev.resolved.routes])


def export_frame(ev: Evaluation) -> pd.DataFrame:
    """Every input and output of the three runs, one row each (the scenario CSV)."""
    rows = []
    for kind, index in (("assumption", 0), ("scenario input", 1), ("output", 2)):
        first = ev.runs[RUNS[0]][index].to_dict()
        for name in first:
            values = {run: ev.runs[run][index].to_dict()[name] for run in RUNS}
            rows.append({"kind": kind, "quantity": name, **values})
    return pd.DataFrame(rows)


def export_json(ev: Evaluation, permalink: str) -> str:
    return json.dumps(to_json(ev) | {"permalink": permalink}, indent=2, default=str)


def card_value(field: str, value: float, *, signed: bool = False) -> str:
    """An output value for a metric card, its unit in the card's label (signed=True for a difference)."""
    unit = OUTPUT[field].unit
    if field == "consumer_cost_usd_bn_per_year":
        return fmt.money_per_year(value, signed=signed)
    if unit.startswith("USD"):
        return fmt.money(value, signed=signed or field == "fee_change_usd_per_month")
    if unit.startswith("%"):
        return f"{value:+.1f} pp" if signed else f"{value:+.1f}%" if field != "compute_cut_pct" else f"{value:.1f}%"
    if field == "lerner":
        return f"{value * 100:+.1f} pp" if signed else f"{value:.1%}"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


CARDS = (("cost_change_usd_per_user_month", "passed_through_usd_per_user_month", "absorbed_usd_per_user_month",
          "consumer_cost_usd_bn_per_year"),
         ("rho", "fee_change_usd_per_month", "ad_load_change_pct", "compute_cut_pct"))


def card(ev: Evaluation, field: str) -> dict:
    """st.metric keyword arguments for one output: the scenario's value and its change from the default baseline."""
    out = OUTPUT[field]
    value, base = getattr(ev.scenario, field), getattr(ev.baseline, field)
    same = abs(value - base) < 1e-12
    return {"label": out.label, "value": card_value(field, value), "help": f"**{out.unit}.** {out.help}",
            "delta": "same as baseline" if same else card_value(field, value - base, signed=True),
            "delta_color": "off" if same or not out.worse_up else "inverse", "delta_arrow": "off" if same else "auto",
            "delta_description": None if same else "vs default baseline"}


def shock_text(ev: Evaluation) -> str:
    """The GPU cost shock in both forms: '+40% on $2.10 = $2.94' or '$2.35 against $1.70 = +38.2%'."""
    values, price = ev.resolved.values, ev.resolved.price
    shock = ev.scenario.gpu_price_shock_pct
    if price is None:
        return f"{shock:+.0f}% (baseline GPU price {PRICE_UNAVAILABLE})"
    if values["shock_mode"] == "percent":
        return f"{shock:+.0f}% on {_usd(price.value)} = {_usd(price.value * (1 + shock / 100))} per GPU-hour"
    return f"${float(values['new_gpu_price']):.2f} against {_usd(price.value)} = {shock:+.1f}% per GPU-hour"


def over_shifting_sentence(result: pt.Result) -> str:
    """What ρ says, in a sentence, including over-shifting (ρ > 1)."""
    if result.rho > 1:
        return (f"ρ = {result.rho:.2f} > 1: over-shifting. With market power and demand more convex than "
                "log-concave (here ξ = {:.2f}), firms raise prices by more than their cost rose, so users pay more "
                "than the whole shock and margins widen.".format(result.xi_D))
    return (f"ρ = {result.rho:.2f}: users bear {result.rho:.0%} of the cost change and AI firms absorb the rest. "
            "ρ can exceed 1 (over-shifting) when demand is convex enough, e.g. constant-elasticity demand.")


# --------------------------------------------------------------------------- overview headline
@dataclass(frozen=True)
class Headline:
    """Overview's scenario headline: the default scenario on today's data, with the assumptions it names."""

    gpu_price_change_pct: float
    passed_through_usd_per_user_month: float
    consumer_cost_usd_bn_per_year: float
    band_low: float
    band_high: float
    rho: float
    users: str  # "800M weekly users (2025-10-06)"
    conduct: str  # "AI assistants, ... HHI 3,845 (2026-06)"
    compute_cost: str
    model_version: str
    snapshot: str | None


def headline(data: DataInputs) -> Headline:
    """The default scenario's headline numbers and named assumptions (dashboard.data.scenarios.load)."""
    ev = evaluate({}, data)
    r, values = ev.scenario, ev.resolved.values
    users_fig = ev.resolved.sources["users_basis"]
    hhi_fig = ev.resolved.sources["conduct_market"]
    when = f" ({users_fig.as_of})" if users_fig and users_fig.as_of else ""
    conduct = MARKET_LABELS[str(values["conduct_market"])]
    if values["conduct_market"] != "manual":
        conduct += f", HHI {float(values['hhi']):,.0f}" + (f" ({hhi_fig.as_of})" if hhi_fig and hhi_fig.as_of else "")
    route = ev.resolved.route(str(values["compute_cost_route"]))
    return Headline(
        gpu_price_change_pct=r.gpu_price_shock_pct, passed_through_usd_per_user_month=r.passed_through_usd_per_user_month,
        consumer_cost_usd_bn_per_year=r.consumer_cost_usd_bn_per_year,
        band_low=ev.band.consumer_cost["p10"], band_high=ev.band.consumer_cost["p90"], rho=r.rho,
        users=f"{float(values['users_millions']):,.0f}M {values['users_basis']} users{when}",
        conduct=f"{conduct}, {values['conduct_model']}",
        compute_cost=f"${float(values['compute_cost_per_user_month']):.3f} a user-month ({route.label})",
        model_version=pt.MODEL_VERSION, snapshot=data.snapshot)
