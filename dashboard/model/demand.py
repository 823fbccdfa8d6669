"""Demand, pure: growth arithmetic (indexing, year-on-year, CAGR, doubling time, trends) and the findings.

pandas in, numbers, frames or dataclasses out; no Streamlit, no DuckDB (the rows come from
dashboard.data.demand). A "series" is a pandas Series of positive
values on a DatetimeIndex (one observation per date). Growth rates are fractions (0.66 = +66%);
growth *factors* are 1 + rate (4.0 = "4x per year").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import fmt
from etl.growth import fit_growth, fractional_year, t_quantile_975

DAYS_PER_YEAR = 365.25

# Explorer: plain names per indicator. Anything not listed gets its snake_case name humanised.
NAMES = {
    "nvidia_datacenter_revenue": "NVIDIA data-centre revenue (fiscal quarters)",
    "nvidia_total_revenue": "NVIDIA total revenue (fiscal quarters)",
    "nvidia_datacenter_revenue_annual": "NVIDIA data-centre revenue (fiscal years)",
    "nvidia_total_revenue_annual": "NVIDIA total revenue (fiscal years)",
    "hyperscaler_capex_annual": "Hyperscaler capex (years)",
    "hyperscaler_capex_big4_total_annual": "Big-4 hyperscaler capex (years, published total)",
    "aws_capex_annual": "AWS segment capex (years)",
    "cloud_infrastructure_revenue_annual": "Cloud infrastructure revenue (years)",
    "hyperscaler_capex": "Hyperscaler capex",
    "hyperscaler_capex_sec": "Capex, SEC filings",
    "hyperscaler_capex_big4_total": "Big-4 hyperscaler capex (published total)",
    "aws_capex": "AWS segment capex",
    "company_revenue_sec": "Revenue, SEC filings",
    "chatgpt_weekly_active_users": "ChatGPT weekly active users",
    "chatgpt_monthly_users": "ChatGPT monthly users (third-party estimates)",
    "google_tokens_per_month": "Google tokens processed per month",
    "cloud_infrastructure_revenue": "Cloud infrastructure revenue",
    "wikipedia_pageviews": "Wikipedia pageviews",
    "hf_downloads_30d": "Hugging Face downloads (30 days)",
    "livepeer_minutes": "Livepeer transcoded minutes per day",
    "livepeer_fees_usd": "Livepeer fees (USD per day)",
    "livepeer_active_orchestrators": "Livepeer active orchestrators",
    "akash_daily_spend_usd": "Akash spend (USD per day)",
    "akash_active_leases": "Akash active leases",
    "openrouter_models": "OpenRouter models listed",
    "openrouter_median_prompt_price": "OpenRouter median prompt price",
}
# Indicators whose name already says what is measured: the entity is not repeated in the label.
IMPLICIT_ENTITY = {"hyperscaler_capex_big4_total", "hyperscaler_capex_big4_total_annual", "google_tokens_per_month",
                   "aws_capex", "aws_capex_annual", "openrouter_models", "openrouter_median_prompt_price"}
DEFAULT_SERIES = ("NVIDIA data-centre revenue (fiscal quarters)", "Big-4 hyperscaler capex (published total)",
                  "ChatGPT weekly active users", "Google tokens processed per month")
# Not time series of one thing: one point per model, or per-model snapshots.
NOT_SERIES = ("training_compute_flop", "hf_model_downloads_30d")
BIG4 = ("Amazon", "Alphabet", "Meta", "Microsoft")


# --------------------------------------------------------------------------- series basics

def as_series(frame: pd.DataFrame, x: str = "period", y: str = "value") -> pd.Series:
    """A clean series from two columns: sorted by date, duplicates averaged, missing values dropped."""
    part = frame[[x, y]].dropna()
    s = part.groupby(pd.to_datetime(part[x]))[y].mean().sort_index().astype(float)
    s.index.name = "period"
    return s


def years_between(a, b) -> float:
    return (pd.Timestamp(b) - pd.Timestamp(a)).days / DAYS_PER_YEAR


def within(series: pd.Series, start=None, end=None) -> pd.Series:
    """The part of a series from `start` to `end` (inclusive; None = open)."""
    s = series
    if start is not None:
        s = s[s.index >= pd.Timestamp(start)]
    if end is not None:
        s = s[s.index <= pd.Timestamp(end)]
    return s


def value_at(series: pd.Series, when) -> float:
    """The value on date `when`: exact, else interpolated between the neighbouring observations
    (geometrically when both are positive, as growth series compound), NaN outside the observed range."""
    t = pd.Timestamp(when)
    s = series.dropna()
    if s.empty or t < s.index[0] or t > s.index[-1]:
        return math.nan
    if t in s.index:
        return float(s.loc[t])
    before, after = s[s.index < t], s[s.index > t]
    (t0, v0), (t1, v1) = (before.index[-1], before.iloc[-1]), (after.index[0], after.iloc[0])
    w = (t - t0) / (t1 - t0)
    if v0 > 0 and v1 > 0:
        return float(v0 * (v1 / v0) ** w)
    return float(v0 + (v1 - v0) * w)


def index_to(series: pd.Series, base_date) -> pd.Series:
    """The series rescaled so that its value on `base_date` is 100 (OWID's "relative change" view).

    The base value is interpolated when `base_date` falls between observations; ValueError when the
    series has no data on or around that date (before its first or after its last observation).
    """
    base = value_at(series, base_date)
    if not math.isfinite(base) or base == 0:
        raise ValueError(f"no value to index to on {pd.Timestamp(base_date):%Y-%m-%d}")
    return series / base * 100.0


def monthly_if_daily(series: pd.Series) -> pd.Series:
    """Daily series (median spacing under 20 days) averaged by calendar month, dated the 1st; others as they are.

    Day-to-day noise would otherwise dominate end-point growth rates.
    """
    if len(series) < 3 or pd.Series(series.index).diff().dt.days.median() >= 20:
        return series
    out = series.groupby(series.index.to_period("M")).mean()
    out.index = out.index.to_timestamp()
    out.index.name = series.index.name
    return out


# --------------------------------------------------------------------------- growth

def yoy_growth(series: pd.Series, tolerance_days: int = 16) -> pd.Series:
    """Year-on-year growth at every observation: value / value one year earlier - 1.

    The earlier value is the observation nearest to exactly one year before (calendar year), used only
    when it lies within `tolerance_days` of that date; otherwise the growth is NaN (no guessing).
    """
    s = series.dropna().sort_index()
    out = pd.Series(np.nan, index=s.index, dtype=float)
    if len(s) < 2:
        return out
    idx = s.index
    for t, v in s.items():
        target = t - pd.DateOffset(years=1)
        pos = idx.get_indexer([target], method="nearest")[0]
        if abs((idx[pos] - target).days) <= tolerance_days and idx[pos] < t and s.iloc[pos] != 0:
            out.loc[t] = v / s.iloc[pos] - 1
    return out


def cagr(series: pd.Series, start=None, end=None) -> float:
    """Compound annual growth rate between the first and last observation in [start, end]:

        CAGR = (v_last / v_first) ** (1 / years) - 1,   years = days between them / 365.25

    NaN when there are fewer than two positive observations or they are on the same day.
    """
    s = within(series.dropna(), start, end)
    s = s[s > 0]
    if len(s) < 2:
        return math.nan
    years = years_between(s.index[0], s.index[-1])
    if years <= 0:
        return math.nan
    return float((s.iloc[-1] / s.iloc[0]) ** (1 / years) - 1)


def doubling_time(growth: float | pd.Series) -> float:
    """Years for a quantity to double at a constant annual growth rate g:

        T = ln 2 / ln(1 + g)

    (the exact form of the "rule of 70"; e.g. Sevilla et al. 2022, "Compute Trends Across Three Eras
    of Machine Learning", arXiv:2202.05924, report compute growth as doubling times this way).
    Pass a rate (3.0 = x4 a year -> 0.5 years) or a series (its CAGR is used).
    Returns inf when g <= 0 (the quantity never doubles) and NaN when g is NaN.
    """
    g = cagr(growth) if isinstance(growth, pd.Series) else float(growth)
    if math.isnan(g):
        return math.nan
    if g <= 0:
        return math.inf
    return math.log(2) / math.log1p(g)


def trend_band(dates: Iterable, values: Iterable[float], at: Iterable, t_quantile: float | None = None) -> pd.DataFrame:
    """The fitted log-linear trend of `values` over time and its 95% confidence band, evaluated `at` dates.

    The same OLS of log10(value) on fractional year as etl.growth.fit_growth (the model behind Epoch's
    growth rates; docs/METHODOLOGY.md §4.1); fit_growth gives the growth factor and its interval, this
    gives the fitted line and the confidence interval of the fitted mean at each date:
    fit +/- t * s * sqrt(1/n + (x - x_mean)^2 / Sxx), t = t(0.975, n - 2) unless `t_quantile` is given.
    Columns: period, fit, low, high (in the values' own units).
    """
    pairs = [(fractional_year(pd.Timestamp(d)), math.log10(v)) for d, v in zip(dates, values, strict=True)
             if v is not None and v > 0 and not pd.isna(d)]
    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    n = len(x)
    if n < 3:
        raise ValueError(f"trend_band needs at least 3 points, got {n}")
    mx, my = x.mean(), y.mean()
    sxx = ((x - mx) ** 2).sum()
    slope = ((x - mx) * (y - my)).sum() / sxx
    intercept = my - slope * mx
    s = math.sqrt(((y - intercept - slope * x) ** 2).sum() / (n - 2))
    t_quantile = t_quantile_975(n - 2) if t_quantile is None else t_quantile
    at = pd.to_datetime(pd.Series(list(at)))
    xa = np.array([fractional_year(d) for d in at])
    fit = intercept + slope * xa
    half = t_quantile * s * np.sqrt(1 / n + (xa - mx) ** 2 / sxx)
    return pd.DataFrame({"period": at.values, "fit": 10**fit, "low": 10 ** (fit - half), "high": 10 ** (fit + half)})


# --------------------------------------------------------------------------- explorer helpers

def series_label(indicator: str, entity: str | None) -> str:
    """A readable, stable name for one indicator x entity: the entity is added unless the name says it."""
    name = NAMES.get(indicator) or indicator.replace("_", " ").capitalize()
    if entity and indicator not in IMPLICIT_ENTITY and entity.lower() not in name.lower():
        return f"{name} · {entity}"
    return name


def quarter_label(d) -> str:
    t = pd.Timestamp(d)
    return f"{t.year}Q{t.quarter}"


def quarter_start(label: str) -> pd.Timestamp:
    return pd.Period(label, freq="Q").start_time


def quarters_between(first, last) -> list[str]:
    return [str(p) for p in pd.period_range(pd.Timestamp(first), pd.Timestamp(last), freq="Q")]


def explorer_frame(rows: pd.DataFrame, labels: list[str], start, end, base=None) -> tuple[pd.DataFrame, list[str]]:
    """Rows of the chosen series inside the window, with `index` (=100 at `base`) next to `value`.

    `rows` has columns label, period, value, unit. base None indexes each series to its first value in
    the window; a series with no data on `base` is indexed to its first value instead, and a note says so.
    Returns (frame with label, period, value, unit, index, base_date), notes.
    """
    parts, notes = [], []
    for label in labels:
        part = rows[rows["label"] == label]
        s = within(as_series(part), start, end)
        if s.empty:
            notes.append(f"{label}: no data in the window.")
            continue
        base_date = s.index[0] if base is None else pd.Timestamp(base)
        try:
            idx = index_to(s, base_date)
        except ValueError:
            base_date = s.index[0]
            idx = index_to(s, base_date)
            notes.append(f"{label}: no data on {pd.Timestamp(base):%Y-%m-%d}, indexed to its first value "
                         f"({base_date:%Y-%m-%d}).")
        parts.append(pd.DataFrame({"label": label, "period": s.index, "value": s.values,
                                   "unit": part["unit"].iloc[0], "index": idx.values, "base_date": base_date}))
    cols = ["label", "period", "value", "unit", "index", "base_date"]
    return (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)), notes


def _sig(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def growth_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per series in an explorer frame: first and last values, latest year-on-year growth, CAGR over the
    window and doubling time. Daily series are averaged by month first."""
    out = []
    for label, part in frame.groupby("label", sort=False):
        raw = as_series(part)
        s = monthly_if_daily(raw)
        yoy = yoy_growth(s).dropna()
        g = cagr(s)
        out.append({
            "series": label, "unit": part["unit"].iloc[0], "points": len(raw),
            "first": f"{s.index[0]:%Y-%m-%d}", "first value": _sig(s.iloc[0]),
            "last": f"{s.index[-1]:%Y-%m-%d}", "last value": _sig(s.iloc[-1]),
            "latest YoY growth %": 100 * yoy.iloc[-1] if not yoy.empty else math.nan,
            "YoY as of": f"{yoy.index[-1]:%Y-%m-%d}" if not yoy.empty else "",
            "CAGR over window %": 100 * g if math.isfinite(g) else math.nan,
            "doubling time (years)": doubling_time(g),
            "monthly means": len(s) != len(raw),
        })
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- spending

def calendar_quarter(period) -> str:
    """Calendar quarter of a (fiscal) quarter that starts on `period`: the quarter holding its middle."""
    return quarter_label(pd.Timestamp(period) + pd.Timedelta(days=45))


def quarter_growth(values: pd.Series) -> pd.DataFrame:
    """For a Series indexed by quarter label ('2024Q3'): year-on-year and quarter-on-quarter growth."""
    q = pd.PeriodIndex(values.index, freq="Q")
    by = dict(zip(q, values.values, strict=True))
    yoy = [by[p] / by[p - 4] - 1 if (p - 4) in by and by[p - 4] else math.nan for p in q]
    qoq = [by[p] / by[p - 1] - 1 if (p - 1) in by and by[p - 1] else math.nan for p in q]
    return pd.DataFrame({"quarter": values.index, "total": values.values, "yoy": yoy, "qoq": qoq})


def capex_quarters(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Big-4 capex by calendar quarter: (stack by company, total with growth, basis).

    `rows` holds indicators hyperscaler_capex_sec (10-Q/10-K, USD bn per fiscal quarter),
    hyperscaler_capex and hyperscaler_capex_big4_total (curated). Sources are not mixed: when the SEC
    filings cover all four companies they are used alone and the total is their sum; otherwise the
    curated company figures are stacked and the total is the published Big-4 total, or the sum of the
    four where all four were published for a quarter.
    """
    rows = rows.assign(quarter=rows["period"].map(calendar_quarter))
    sec = rows[(rows["indicator"] == "hyperscaler_capex_sec") & rows["entity"].isin(BIG4)]
    if set(sec["entity"]) >= set(BIG4):
        stack = sec
        basis = "SEC 10-Q/10-K filings (cash capex; Amazon excludes finance leases), calendar quarters"
        published = pd.Series(dtype=float)
    else:
        stack = rows[(rows["indicator"] == "hyperscaler_capex") & rows["entity"].isin(BIG4)]
        basis = "curated figures (mostly Platformonomics; some include finance leases)"
        pub = rows[rows["indicator"] == "hyperscaler_capex_big4_total"]
        published = pub.groupby("quarter")["value"].max()
    stack = stack.sort_values("period").drop_duplicates(["quarter", "entity"], keep="last")
    counts = stack.groupby("quarter")["entity"].nunique()
    summed = stack.groupby("quarter")["value"].sum()[counts == len(BIG4)]
    total = pd.concat([published, summed[~summed.index.isin(published.index)]]).sort_index()
    growth = quarter_growth(total) if not total.empty else pd.DataFrame(columns=["quarter", "total", "yoy", "qoq"])
    growth["basis"] = ["published total" if q in published.index else "sum of 4 companies" for q in growth["quarter"]]
    return stack.sort_values(["quarter", "entity"]), growth, basis


def nvidia_fiscal_label(period) -> str:
    """NVIDIA's name for the fiscal quarter starting on `period` (its year ends in late January:
    FY2025 Q1 = Feb-Apr 2024)."""
    t = pd.Timestamp(period)
    shifted = t - pd.DateOffset(months=1)  # Feb..Jan -> Jan..Dec
    return f"FY{shifted.year + 1} Q{shifted.quarter}"


def with_missing_quarters(rows: pd.DataFrame, label=nvidia_fiscal_label) -> pd.DataFrame:
    """Rows of a quarterly series plus empty rows (value NaN) for the quarters between its first and last
    that have no figure, so charts show the gap instead of closing it."""
    periods = pd.to_datetime(rows["period"])
    every = pd.date_range(periods.min(), periods.max(), freq=pd.DateOffset(months=3))
    missing = [p for p in every if p not in set(periods)]
    if not missing:
        return rows
    gaps = pd.DataFrame({"period": missing, "period_label": [label(p) for p in missing], "value": float("nan"),
                         "note": "no published figure in our sources"})
    return pd.concat([rows.assign(period=periods), gaps], ignore_index=True).sort_values("period")


def fiscal_yoy(rows: pd.DataFrame) -> pd.DataFrame:
    """Quarterly rows (period = quarter start) with year-on-year growth against the same quarter a year before."""
    out = rows.assign(period=pd.to_datetime(rows["period"])).sort_values("period")
    s = as_series(out)
    out["yoy"] = yoy_growth(s, tolerance_days=5).reindex(pd.to_datetime(out["period"])).values
    return out


# --------------------------------------------------------------------------- training compute

CAPEX_INDICATORS = ("hyperscaler_capex_sec", "hyperscaler_capex", "hyperscaler_capex_big4_total")
DEPIN_USAGE = ("livepeer_minutes", "akash_active_leases", "livepeer_fees_usd", "akash_daily_spend_usd")
FIT_SINCE = "2010-01-01"
PUBLISHED_GROWTH = "training_compute_growth"  # Epoch AI's own published growth rates (curated)
PUBLISHED_ENTITY = "Notable AI models"
# Epoch's domain labels (a model can have several; a filter matches any of them).
DOMAINS = ["all", "Language", "Vision", "Multimodal", "Image generation", "Speech", "Biology", "Games", "Robotics"]


@dataclass(frozen=True)
class Fit:
    """One log-linear fit of training compute on publication date (etl.growth.fit_growth) and its band."""

    name: str
    growth_per_year: float
    ci_low: float
    ci_high: float
    doubling_months: float
    n: int
    r2: float
    colour: str
    band: pd.DataFrame  # period, fit, low, high
    label: str  # legend text
    dash: bool


def training_fits(models: pd.DataFrame) -> list[Fit]:
    """Log-linear fits of training compute on publication date: all notable models, then frontier models.

    models: period, flop, frontier. Groups with fewer than 3 models (or one date) are skipped.
    """
    if models.empty:
        return []
    out = []
    for name, part, colour in (("All notable models", models, "#0f5e4a"),
                               ("Frontier models", models[models["frontier"]], "#b3186b")):
        if len(part) < 3 or part["period"].nunique() < 2:
            continue
        dates = [pd.Timestamp(d).date() for d in part["period"]]
        fit = fit_growth(dates, list(part["flop"]))
        grid = pd.date_range(min(dates), max(dates), periods=60)
        band = trend_band(dates, part["flop"], grid, t_quantile_975(fit["n"] - 2))
        label = (f"{name}: {fit['growth_per_year']:.1f}x per year "
                 f"(95% CI {fit['ci_low']:.1f}-{fit['ci_high']:.1f}x, n={fit['n']})")
        out.append(Fit(name=name, growth_per_year=fit["growth_per_year"], ci_low=fit["ci_low"],
                       ci_high=fit["ci_high"], doubling_months=fit["doubling_months"], n=fit["n"], r2=fit["r2"],
                       colour=colour, band=band, label=label, dash=name.startswith("Frontier")))
    return out


def training_title(fits: list[Fit], since_year: int) -> str:
    if not fits:
        return "Training compute of notable AI models"
    first = fits[0]
    text = (f"{first.name.replace('All notable', 'Notable')}: training compute grew {first.growth_per_year:.1f}x "
            f"per year since {since_year}")
    if len(fits) > 1:
        text += f"; frontier models {fits[1].growth_per_year:.1f}x"
    return text


def fit_note(fits: list[Fit]) -> str:
    if not fits:
        return "Too few models with a compute estimate in this selection to fit a trend."
    parts = [f"{f.name}: {f.growth_per_year:.2f}x per year, 95% CI {f.ci_low:.2f}-{f.ci_high:.2f}x, "
             f"doubling every {f.doubling_months:.1f} months, n = {f.n}, R² = {f.r2:.2f}" for f in fits]
    return ("Trend: least-squares fit of log10(training compute) on publication date; shaded: 95% confidence "
            "band of the fitted trend. " + "; ".join(parts) + ". Compute figures are Epoch AI's estimates.")


def published_growth_text(published: pd.DataFrame, fits: list[Fit]) -> str:
    """Epoch's own published growth rates (curated, cited), and whether our fit falls inside their range."""
    if published.empty:
        return ""
    items = []
    for _, p in published.sort_values("ref_date").iterrows():
        rng = (f"{p['value_low']:g}-{p['value_high']:g}x" if pd.notna(p["value_low"]) and pd.notna(p["value_high"])
               else f"{p['value']:g}x")
        items.append(f"{p['entity']} {p['period_label']}: **{rng} per year** "
                     f"([source]({p['ref_url']}), {str(p['ref_date'])[:10]}, {p['confidence']})")
    text = "**Epoch AI's published estimates:** " + "; ".join(items) + "."
    if fits:
        lo = min(min(published["value"]), min(published["value_low"].dropna(), default=math.inf))
        hi = max(max(published["value"]), max(published["value_high"].dropna(), default=-math.inf))
        g = fits[0].growth_per_year
        inside = "inside" if lo <= g <= hi else "outside"
        text += f" The fit above ({g:.1f}x for all notable models in this selection) is {inside} that range."
    return text


# --------------------------------------------------------------------------- spending

@dataclass(frozen=True)
class Capex:
    """The latest Big-4 capex quarter: total (USD bn), year-on-year and quarter-on-quarter growth, the
    latest quarter with a year-on-year figure, basis and as-of date; `stack` and `totals` for the chart."""

    quarter: str
    total_usd_bn: float
    yoy: float | None
    qoq: float | None
    last_yoy_quarter: str | None
    last_yoy: float | None
    total_basis: str
    basis: str
    as_of: str | None
    stack: pd.DataFrame
    totals: pd.DataFrame

    @property
    def growth(self) -> float | None:
        """Year-on-year growth where known, else quarter-on-quarter."""
        return self.yoy if self.yoy is not None else self.qoq


def capex_summary(rows: pd.DataFrame) -> Capex | None:
    """The latest Big-4 capex quarter (as-of date: newest citation or filing date of that quarter)."""
    if rows.empty:
        return None
    stack, total, basis = capex_quarters(rows)
    if total.empty:
        return None
    last = total.iloc[-1]
    with_yoy = total.dropna(subset=["yoy"])
    q_rows = rows[rows["period"].map(calendar_quarter) == last["quarter"]]
    as_of = q_rows["ref_date"].dropna().astype(str).str[:10].max() if "ref_date" in q_rows else None
    return Capex(
        quarter=last["quarter"], total_usd_bn=float(last["total"]),
        yoy=None if pd.isna(last["yoy"]) else float(last["yoy"]),
        qoq=None if pd.isna(last["qoq"]) else float(last["qoq"]),
        last_yoy_quarter=None if with_yoy.empty else with_yoy.iloc[-1]["quarter"],
        last_yoy=None if with_yoy.empty else float(with_yoy.iloc[-1]["yoy"]),
        total_basis=last["basis"], basis=basis, as_of=as_of if isinstance(as_of, str) else None,
        stack=stack, totals=total)


def capex_title(s: Capex | None) -> str:
    if not s:
        return "Big-4 hyperscaler capex by quarter"
    head = "Big-4 hyperscaler capex"
    if s.yoy is not None:
        verb = "grew" if s.yoy >= 0 else "fell"
        return f"{head} {verb} {abs(100 * s.yoy):.0f}% year on year to {fmt.usd_bn(s.total_usd_bn)} in {s.quarter}"
    text = f"{head} reached {fmt.usd_bn(s.total_usd_bn)} in {s.quarter}"
    if s.qoq is not None:
        text += f", {fmt.change(s.qoq)} on the previous quarter"
    if s.last_yoy_quarter:
        text += f" ({fmt.pct(s.last_yoy)} year on year in {s.last_yoy_quarter})"
    return text


def capex_note(s: Capex) -> str:
    return (f"Basis: {s.basis}. Black marks: the Big-4 total ({'; '.join(sorted(set(s.totals['basis'])))}); a "
            "stack below its mark means some companies' figures for that quarter are not in our data. Quarters are "
            "calendar quarters (fiscal quarters mapped by their middle month). Year-on-year growth needs the same "
            "quarter a year earlier, so gaps stay gaps.")


def revenue_summary(rows: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """NVIDIA data-centre revenue by fiscal quarter with year-on-year growth, and a finding as title."""
    if rows.empty:
        return rows, "NVIDIA data-centre revenue by fiscal quarter"
    out = fiscal_yoy(with_missing_quarters(rows))
    last = out.dropna(subset=["value"]).iloc[-1]
    title = f"NVIDIA data-centre revenue was {fmt.usd_bn(last['value'])} in {last['period_label']}"
    if pd.notna(last["yoy"]):
        title += f", {fmt.change(last['yoy'])} year on year"
    return out, title


def latest_quarter(revenue: pd.DataFrame) -> pd.Series:
    """The newest quarter of a revenue frame that has a figure."""
    return revenue.dropna(subset=["value"]).iloc[-1]


# --------------------------------------------------------------------------- usage

def users_title(weekly: pd.DataFrame) -> str:
    if len(weekly) < 2:
        return "ChatGPT users"
    s = as_series(weekly)
    months = years_between(s.index[0], s.index[-1]) * 12
    return (f"ChatGPT reached {s.iloc[-1]:,.0f}M weekly active users in {s.index[-1]:%b %Y}, "
            f"{s.iloc[-1] / s.iloc[0]:.0f}x in {months:.0f} months (doubling every {fmt.duration(doubling_time(s))})")


def latest_title(rows: pd.DataFrame, template: str) -> str:
    """A finding for the newest period of a multi-entity indicator: `template` is formatted with the leading
    entity, its value (compact), the date (e.g. 'Apr 2026') and how many entities are compared."""
    latest = latest_rows(rows).sort_values("value", ascending=False)
    top = latest.iloc[0]
    return template.format(entity=top["entity"], value=fmt.compact(top["value"]), n=len(latest),
                           date=f"{pd.Timestamp(top['period']):%b %Y}", day=f"{pd.Timestamp(top['period']):%Y-%m-%d}")


def latest_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the newest period."""
    return rows[rows["period"] == rows["period"].max()]


def labelled(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with a `label` column: the series name of each indicator x entity (series_label)."""
    return rows.assign(label=[series_label(i, e) for i, e in zip(rows["indicator"], rows["entity"], strict=True)])


def depin_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Decentralised-network usage rows, labelled and in DEPIN_USAGE order (usage first, then money)."""
    out = labelled(rows).assign(_order=rows["indicator"].map({k: i for i, k in enumerate(DEPIN_USAGE)}))
    return out.sort_values(["_order", "entity", "period"]).drop(columns="_order")


def depin_title(rows: pd.DataFrame) -> str:
    """The first series' latest 30-day mean and its change on a year before."""
    first = rows[rows["indicator"] == rows["indicator"].iloc[0]].sort_values("period")
    s = as_series(first).rolling("30D").mean()
    end = s.index[-1]
    before = value_at(s, end - pd.DateOffset(years=1))
    text = f"{first['label'].iloc[0]}: {s.iloc[-1]:,.0f} (30-day mean to {end:%b %Y})"
    if math.isfinite(before) and before:
        text += f", {fmt.change(s.iloc[-1] / before - 1)} on a year before"
    return text


def explorer_title(table: pd.DataFrame, window: tuple[str, str]) -> str:
    """The fastest-growing chosen series over the window, as a sentence."""
    ranked = table.dropna(subset=["CAGR over window %"]).sort_values("CAGR over window %", ascending=False)
    if ranked.empty:
        return f"Chosen series, {window[0]} to {window[1]}"
    top = ranked.iloc[0]
    factor = 1 + top["CAGR over window %"] / 100
    lead = "grew fastest" if len(ranked) > 1 else "grew"
    return (f"{top['series']} {lead}: {factor:.1f}x a year ({top['first'][:7]} to {top['last'][:7]}), "
            f"doubling every {fmt.duration(top['doubling time (years)'])}")


def explorer_window(window: tuple[str, str]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a window of two calendar-quarter labels."""
    return quarter_start(window[0]), quarter_start(window[1]) + pd.offsets.QuarterEnd(0)


def explorer_data(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The explorer's CSV: its frame with each point's citation columns from the labelled rows."""
    return frame.merge(rows.drop(columns=["value", "unit"]).assign(period=pd.to_datetime(rows["period"])),
                       on=["label", "period"], how="left")


# --------------------------------------------------------------------------- Overview

@dataclass(frozen=True)
class Training:
    """Overview's training-compute headline: our fit of Epoch's data, else Epoch's published figure."""

    growth_per_year: float
    ci_low: float | None
    ci_high: float | None
    doubling_months: float
    n: int | None  # None: Epoch's published figure, not our fit
    r2: float | None
    basis: str
    since: str
    as_of: str
    frontier: Fit | None = None
    ref_url: str | None = None

    @property
    def text(self) -> str:
        ci = f" (95% CI {self.ci_low:.1f}-{self.ci_high:.1f}x)" if self.n and self.ci_low else ""
        return f"Training compute of notable AI models grows {self.growth_per_year:.1f}x a year{ci}"


@dataclass(frozen=True)
class Headline:
    """Overview's demand headline: the latest Big-4 capex quarter and the training-compute growth."""

    capex: Capex | None
    training: Training | None


def published_growth(rows: pd.DataFrame) -> pd.DataFrame:
    """Epoch's published growth rates for all notable models, from PUBLISHED_GROWTH rows."""
    return rows[rows["entity"] == PUBLISHED_ENTITY]


def summarise(capex_rows: pd.DataFrame, models: pd.DataFrame, published: pd.DataFrame) -> Headline:
    """The Overview headline from frames: capex rows (CAPEX_INDICATORS), Epoch's models since FIT_SINCE
    and Epoch's published growth rates (published_growth)."""
    capex = capex_summary(capex_rows)
    fits = training_fits(models[models["period"] >= pd.Timestamp(FIT_SINCE)]) if not models.empty else []
    training = None
    if fits:
        f = fits[0]
        training = Training(growth_per_year=f.growth_per_year, ci_low=f.ci_low, ci_high=f.ci_high,
                            doubling_months=f.doubling_months, n=f.n, r2=f.r2,
                            basis="fitted to Epoch AI Notable AI Models", since=FIT_SINCE[:4],
                            as_of=str(pd.Timestamp(models["period"].max()).date()),
                            frontier=fits[1] if len(fits) > 1 else None)
    elif not published.empty:  # no model-level data loaded: Epoch's own published figure
        p = published.sort_values("ref_date").iloc[-1]
        training = Training(growth_per_year=float(p["value"]),
                            ci_low=None if pd.isna(p["value_low"]) else float(p["value_low"]),
                            ci_high=None if pd.isna(p["value_high"]) else float(p["value_high"]),
                            doubling_months=12 * math.log(2) / math.log(float(p["value"])), n=None, r2=None,
                            basis=f"published by {p['entity']} trend, Epoch AI", since=str(p["period_label"]),
                            as_of=str(p["ref_date"])[:10], ref_url=p["ref_url"])
    return Headline(capex, training)
