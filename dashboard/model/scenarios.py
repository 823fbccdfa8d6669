"""Scenarios, pure: data inputs and their permalink pins, the controls, the three runs, band, exports, headline.

Three runs, as in En-ROADS: the *default baseline* (model defaults with today's, or the link's
pinned, data inputs), *your baseline* (your market and service assumptions, policy levers at
their defaults) and *the scenario* (your assumptions and your levers). The gap between the first
two is the effect of your assumptions; between the last two, the effect of your policy levers.
A permalink pins the data inputs it was computed with (`sc_pin_*`), the model version (`sc_v`) and
the warehouse snapshot (`sc_snap`), so the same link gives the same numbers after the data move on.
No Streamlit, no DuckDB here: dashboard.data.scenarios reads the inputs, the page wires these to widgets.
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

# --------------------------------------------------------------------------- data inputs and pins
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


def default_price() -> dict[str, Input]:
    return {MODEL_DEFAULT: Input(S.baseline_price_usd_per_gpu_hour,
                                 "SemiAnalysis H100 1-year-contract index, Oct 2025 low", MODEL_DEFAULT,
                                 "2025-10", from_data=False)}


def default_users() -> Input:
    return Input(S.users_millions, "ChatGPT monthly users, Jan 2024", MODEL_DEFAULT, "2024-01", from_data=False)


def default_hhi() -> Input:
    return Input(A.hhi, "four equal firms (no concentration figure yet)", MODEL_DEFAULT, from_data=False)


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
        out[VERSION_PARAM] = pt.MODEL_VERSION
        if self.snapshot:
            out[SNAPSHOT_PARAM] = self.snapshot
        return out


def _parse(name: str, raw: str | None) -> float | None:
    control = FIELDS[PIN_FIELDS[name]]
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if math.isfinite(value) and control.low <= value <= control.high else None


def resolve_pins(params: Mapping[str, str], current: Mapping[str, float], snapshot: str | None) -> Pins:
    """Pins from URL parameters (`params`, first value of each) checked against today's `current` values."""
    values, differs, notices = {}, {}, []
    for name, key in PIN_PARAMS.items():
        raw = params.get(key)
        value = _parse(name, raw)
        if raw is not None and value is None:
            notices.append(f"Ignored URL value {key}={raw} (not a valid {PIN_LABELS[name]}); using today's "
                           f"data ({current[name]:,.4g}) instead.")
        values[name] = current[name] if value is None else value
        if value is not None and not math.isclose(value, current[name], rel_tol=1e-9, abs_tol=1e-9):
            differs[name] = (value, current[name])
    version = params.get(VERSION_PARAM)
    if version is not None and version != pt.MODEL_VERSION:
        notices.append(f"This link was made with model version {version}; this page runs version "
                       f"{pt.MODEL_VERSION}, so its numbers may differ from those first shared.")
    pinned_snapshot = params.get(SNAPSHOT_PARAM)
    return Pins(values, pinned_snapshot if differs and pinned_snapshot else snapshot, differs, tuple(notices),
                pinned_snapshot)


# --------------------------------------------------------------------------- controls
# URL / session key -> (model field in dashboard.text.scenarios.FIELDS, slider display format). Keys are the URL parameters.
SLIDERS = {
    "sc_shock": ("cost_shock_pct", "%+.0f%%"),
    "sc_new_price": ("new_price_usd_per_gpu_hour", "$%.2f"),
    "sc_dshare": ("decentralised_share", "percent"),
    "sc_ddisc": ("decentralised_discount", "percent"),
    "sc_hhi": ("hhi", "%.0f"),
    "sc_eps": ("eps_D", "%.1f"),
    "sc_xi": ("xi_custom", "%.2f"),
    "sc_eta": ("eta_S", "%.1f"),
    "sc_theta": ("theta_S_manual", "%.2f"),
    "sc_cshare": ("compute_share_of_cost", "percent"),
    "sc_cpu": ("compute_cost_per_user_month_usd", "$%.2f"),
    "sc_users": ("users_millions", "%.1f M"),
    "sc_fees": ("split_fees", "percent"),
    "sc_ads": ("split_ads", "percent"),
    "sc_quality": ("split_quality", "percent"),
    "sc_adrev": ("ad_revenue_per_user_month_usd", "$%.2f"),
    "sc_lat": ("latency_elasticity", "%.1f"),
}
LEVERS = ("sc_shock_mode", "sc_shock", "sc_base", "sc_new_price", "sc_dshare", "sc_ddisc", "sc_hhi")
MARKET = ("sc_eps", "sc_curve", "sc_xi", "sc_eta", "sc_conduct", "sc_theta")
SERVICE = ("sc_cshare", "sc_cpu", "sc_users", "sc_fees", "sc_ads", "sc_quality", "sc_adrev", "sc_lat")
# Choice controls: URL value (shown as is, so links stay readable and stable) -> model value.
CHOICES = {
    "sc_shock_mode": {"percent change": "pct", "new price": "price"},
    "sc_curve": {"linear": "linear", "quadratic": "quadratic", "exponential": "exponential",
                 "constant elasticity": "constant_elasticity", "custom": "custom"},
    "sc_conduct": {"from HHI": "hhi", "set directly": "manual"},
}
# Scenario fields that are policy levers: your baseline keeps them at the default baseline's values.
LEVER_FIELDS = ("cost_shock_pct", "baseline_price_usd_per_gpu_hour", "new_price_usd_per_gpu_hour",
                "decentralised_share", "decentralised_discount")
RUNS = ("Default baseline", "Your baseline", "Scenario")

# Uncertainty band: the plausible range of the market assumptions the data cannot pin down.
XI_RANGE = (0.0, 0.5, 1.0)   # "convex but log-concave", Ritz (2024): linear to exponential demand
ETA_RANGE = (0.0, 0.5, 1.0)  # flat marginal cost (rented compute) to quadratic costs (a capacity squeeze)
EPS_FACTORS = (0.5, 1.0, 2.0)  # half to twice your demand elasticity: no AI-specific estimate exists
BAND_NOTE = ("Shaded band: the lowest and highest outcome over every combination of demand curvature ξ from 0 "
             "(linear) to 1 (exponential), the plausible 'convex but log-concave' range in Ritz (2024); "
             "marginal-cost elasticity η from 0 (flat, compute rented at a posted price) to 1 (quadratic, a "
             "capacity squeeze); and demand elasticity from half to twice yours; at your conduct θ. With flat "
             "marginal cost the elasticity alone would not move pass-through, so the band spans curvature and "
             "capacity too.")


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
     "Ritz (2024) Lemma 1: ρ = 1 / (1 + (ε − θ)η + θ(1 − ξ)); 1 means all of it is passed on.", True),
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
     "(p − MC)/p = θ/ε: the margin the absorbed part eats into (Ritz 2024 §2).", False),
))
OUTPUT = {o.field: o for o in OUTPUTS}
CHART_OUTPUTS = ("passed_through_usd_per_user_month", "consumer_cost_usd_bn_per_year", "fee_change_usd_per_month",
                 "ad_load_change_pct", "compute_cut_pct", "response_time_change_pct")


def _on_step(value: float, field: str) -> float:
    control = FIELDS[field]
    low, high, step = control.low, control.high, control.step
    return round(min(max(round(value / step) * step, low), high), 6)


def defaults(inputs: ScenarioInputs, pins: Mapping[str, float]) -> dict:
    """Each control's default: the model's, except the data-derived ones (from `pins`)."""
    out = {key: getattr(A if hasattr(A, field) else S, field) for key, (field, _) in SLIDERS.items()}
    out.update(sc_shock_mode="percent change", sc_base=inputs.segments[0], sc_curve=A.curvature, sc_conduct="from HHI",
               sc_hhi=float(pins["hhi"]), sc_users=float(pins["users"]),
               sc_new_price=_on_step(pins["price"] * (1 + S.cost_shock_pct / 100), "new_price_usd_per_gpu_hour"))
    return out


def shock_text(mode: str, shock_pct: float, new_price: float, baseline_price: float) -> str:
    """The GPU cost shock in both forms: '+40% on $1.70 = $2.38' or '$2.35 against $1.70 = +38.2%'."""
    if mode == "percent change":
        return f"{shock_pct:+.0f}% on ${baseline_price:.2f} = ${baseline_price * (1 + shock_pct / 100):.2f}"
    return f"${new_price:.2f} against ${baseline_price:.2f} = {(new_price / baseline_price - 1) * 100:+.1f}%"


def build(values: Mapping, baseline_price: float) -> tuple[pt.Assumptions, pt.Scenario, list[str]]:
    """Assumptions and Scenario from control values; splits that do not sum to 1 are rescaled (noted)."""
    notes = []
    splits = (values["sc_fees"], values["sc_ads"], values["sc_quality"])
    if abs(sum(splits) - 1) > 1e-6:
        try:
            splits = pt.normalise_splits(*splits)
            notes.append("The three channel shares did not add up to 100%, so they were rescaled to fees "
                         f"{splits[0]:.0%}, ads {splits[1]:.0%}, quality {splits[2]:.0%}.")
        except ValueError:
            splits = (S.split_fees, S.split_ads, S.split_quality)
            notes.append("All three channel shares are zero; using the default split 50% / 25% / 25%.")
    assumptions = pt.Assumptions(eps_D=values["sc_eps"], curvature=CHOICES["sc_curve"][values["sc_curve"]],
                                 xi_custom=values["sc_xi"], eta_S=values["sc_eta"],
                                 conduct_mode=CHOICES["sc_conduct"][values["sc_conduct"]], hhi=values["sc_hhi"],
                                 theta_S_manual=values["sc_theta"])
    scenario = pt.Scenario(
        cost_shock_pct=values["sc_shock"], baseline_price_usd_per_gpu_hour=baseline_price,
        new_price_usd_per_gpu_hour=values["sc_new_price"] if values["sc_shock_mode"] == "new price" else None,
        compute_share_of_cost=values["sc_cshare"], compute_cost_per_user_month_usd=values["sc_cpu"],
        users_millions=values["sc_users"], decentralised_share=values["sc_dshare"],
        decentralised_discount=values["sc_ddisc"], split_fees=splits[0], split_ads=splits[1],
        split_quality=splits[2], ad_revenue_per_user_month_usd=values["sc_adrev"],
        latency_elasticity=values["sc_lat"])
    return assumptions, scenario, notes


@dataclass(frozen=True)
class Comparison:
    """The three runs: name -> (Assumptions, Scenario, Result), in `RUNS` order."""

    runs: dict[str, tuple[pt.Assumptions, pt.Scenario, pt.Result]]

    def result(self, name: str) -> pt.Result:
        return self.runs[name][2]

    @property
    def scenario(self) -> pt.Result:
        return self.result("Scenario")

    @property
    def baseline(self) -> pt.Result:
        return self.result("Default baseline")


def baseline_inputs(pins: Mapping[str, float]) -> tuple[pt.Assumptions, pt.Scenario]:
    """The default baseline: model defaults with the data-derived HHI, users and baseline price."""
    return (dataclasses.replace(A, hhi=pins["hhi"]),
            dataclasses.replace(S, users_millions=pins["users"], baseline_price_usd_per_gpu_hour=pins["price"]))


def compare(assumptions: pt.Assumptions, scenario: pt.Scenario, pins: Mapping[str, float]) -> Comparison:
    """Run the default baseline, your baseline and the scenario. ValueError names the run that fails."""
    base_a, base_s = baseline_inputs(pins)
    inputs = {
        "Default baseline": (base_a, base_s),
        "Your baseline": (dataclasses.replace(assumptions, hhi=pins["hhi"]),
                          dataclasses.replace(scenario, **{f: getattr(base_s, f) for f in LEVER_FIELDS})),
        "Scenario": (assumptions, scenario),
    }
    runs = {}
    for name, (a, s) in inputs.items():
        try:
            runs[name] = (a, s, pt.simulate(a, s))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from error
    return Comparison(runs)


def _try(a: pt.Assumptions, s: pt.Scenario, field: str) -> float:
    try:
        return getattr(pt.simulate(a, s), field)
    except ValueError:
        return float("nan")


def band(comparison: Comparison, field: str = "consumer_cost_usd_bn_per_year") -> pd.DataFrame:
    """`field` across GPU price changes for the three runs, with the scenario's plausible-assumption band."""
    a, s, result = comparison.runs["Scenario"]
    shock = result.gpu_price_shock_pct
    grid = sorted({*np.linspace(min(-50.0, shock), max(150.0, shock), 41).round(2), round(shock, 2), S.cost_shock_pct})
    combos = [dataclasses.replace(a, curvature="custom", xi_custom=xi, eta_S=eta, eps_D=a.eps_D * k)
              for xi in XI_RANGE for eta in ETA_RANGE for k in EPS_FACTORS] + [a]
    rows = []
    for x in grid:
        row = {"gpu_price_change_pct": x}
        for name in RUNS:
            ra, rs, _ = comparison.runs[name]
            row[name] = _try(ra, dataclasses.replace(rs, cost_shock_pct=x, new_price_usd_per_gpu_hour=None), field)
        at_x = dataclasses.replace(s, cost_shock_pct=x, new_price_usd_per_gpu_hour=None)
        values = [v for v in (_try(c, at_x, field) for c in combos) if not np.isnan(v)]
        row["band_low"], row["band_high"] = (min(values), max(values)) if values else (np.nan, np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def rho_range(comparison: Comparison) -> tuple[float, float]:
    """Lowest and highest pass-through rate over the band's assumption grid (and your own point)."""
    a, s, result = comparison.runs["Scenario"]
    combos = [dataclasses.replace(a, curvature="custom", xi_custom=xi, eta_S=eta, eps_D=a.eps_D * k)
              for xi in XI_RANGE for eta in ETA_RANGE for k in EPS_FACTORS]
    values = [v for v in (_try(c, s, "rho") for c in combos) if not np.isnan(v)] + [result.rho]
    return min(values), max(values)


def comparison_frame(comparison: Comparison) -> pd.DataFrame:
    """Long frame: output, unit, run, value (for the three-way bars)."""
    return pd.DataFrame([{"output": OUTPUT[f].short, "unit": OUTPUT[f].unit, "run": name,
                          "value": getattr(comparison.result(name), f)} for f in CHART_OUTPUTS for name in RUNS])


def difference_frame(comparison: Comparison) -> pd.DataFrame:
    """Per output: scenario minus default baseline, split into the effect of assumptions and of levers."""
    rows = []
    for f in CHART_OUTPUTS:
        base, yours, scen = (getattr(comparison.result(n), f) for n in RUNS)
        scale = abs(base) if abs(base) > 1e-12 else np.nan
        rows.append({"output": OUTPUT[f].short, "unit": OUTPUT[f].unit, "default_baseline": base, "your_baseline": yours,
                     "scenario": scen, "from_assumptions": yours - base, "from_levers": scen - yours,
                     "total": scen - base, "from_assumptions_pct": (yours - base) / scale * 100,
                     "from_levers_pct": (scen - yours) / scale * 100, "total_pct": (scen - base) / scale * 100})
    return pd.DataFrame(rows)


def waterfall_frame(result: pt.Result) -> pd.DataFrame:
    return pd.DataFrame(pt.waterfall(result), columns=["step", "usd_per_user_month"])


def export_frame(comparison: Comparison) -> pd.DataFrame:
    """Every input and output of the three runs, one row each (the scenario CSV)."""
    rows = []
    for kind, index in (("assumption", 0), ("scenario input", 1), ("output", 2)):
        first = comparison.runs[RUNS[0]][index].to_dict()
        for name in first:
            values = {run: comparison.runs[run][index].to_dict()[name] for run in RUNS}
            rows.append({"kind": kind, "quantity": name, **values})
    return pd.DataFrame(rows)


def export_json(comparison: Comparison, *, pins: Mapping[str, float], snapshot: str | None, permalink: str,
                sources: Mapping[str, str]) -> str:
    """The scenario as JSON: model version, data snapshot, pinned inputs, and all three runs."""
    doc = {
        "model_version": pt.MODEL_VERSION, "warehouse_snapshot": snapshot, "permalink": permalink,
        "data_inputs": {name: {"value": value, "source": sources.get(name)} for name, value in pins.items()},
        "note": "Not a forecast. The split across fees, ads and quality is an assumption with no sourced values.",
        "runs": {name: {"assumptions": a.to_dict(), "scenario": s.to_dict(), "result": r.to_dict()}
                 for name, (a, s, r) in comparison.runs.items()},
    }
    return json.dumps(doc, indent=2)


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
         ("fee_change_usd_per_month", "ad_load_change_pct", "compute_cut_pct", "response_time_change_pct"))


def card(comparison: Comparison, field: str) -> dict:
    """st.metric keyword arguments for one output: the scenario's value and its change from the default baseline."""
    out = OUTPUT[field]
    label, unit, help_text, worse = out.label, out.unit, out.help, out.worse_up
    value, base = getattr(comparison.scenario, field), getattr(comparison.baseline, field)
    same = abs(value - base) < 1e-12
    return {"label": label, "value": card_value(field, value), "help": f"**{unit}.** {help_text}",
            "delta": "same as baseline" if same else card_value(field, value - base, signed=True),
            "delta_color": "off" if same or not worse else "inverse", "delta_arrow": "off" if same else "auto",
            "delta_description": None if same else "vs default baseline"}


@dataclass(frozen=True)
class Headline:
    """Overview's scenario headline: the default scenario on today's data inputs."""

    gpu_price_change_pct: float
    passed_through_usd_per_user_month: float
    consumer_cost_usd_bn_per_year: float
    rho: float
    users_millions: float
    hhi: float
    model_version: str
    snapshot: str | None


def headline(inputs: ScenarioInputs) -> Headline:
    """The default scenario's headline numbers with today's data inputs (dashboard.data.scenarios.load)."""
    pins = inputs.current(inputs.segments[0])
    a, s = baseline_inputs(pins)
    result = pt.simulate(a, s)
    return Headline(
        gpu_price_change_pct=result.gpu_price_shock_pct,
        passed_through_usd_per_user_month=result.passed_through_usd_per_user_month,
        consumer_cost_usd_bn_per_year=result.consumer_cost_usd_bn_per_year,
        rho=result.rho, users_millions=s.users_millions, hhi=a.hhi, model_version=pt.MODEL_VERSION,
        snapshot=inputs.snapshot)
