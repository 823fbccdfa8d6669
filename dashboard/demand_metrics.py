"""Pure growth arithmetic for the Demand page: indexing, year-on-year growth, CAGR, doubling time, trends.

pandas in, numbers or frames out; no Streamlit, no DuckDB. A "series" is a pandas Series of positive
values on a DatetimeIndex (one observation per date). Growth rates are fractions (0.66 = +66%);
growth *factors* are 1 + rate (4.0 = "4x per year").
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

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


def fractional_year(d) -> float:
    t = pd.Timestamp(d)
    start = pd.Timestamp(year=t.year, month=1, day=1)
    return t.year + (t - start).days / (pd.Timestamp(year=t.year + 1, month=1, day=1) - start).days


def trend_band(dates: Iterable, values: Iterable[float], at: Iterable, t_quantile: float) -> pd.DataFrame:
    """The fitted log-linear trend of `values` over time and its 95% confidence band, evaluated `at` dates.

    OLS of log10(value) on fractional year (the model behind Epoch's growth rates); the band is the
    confidence interval of the fitted mean: fit +/- t * s * sqrt(1/n + (x - x_mean)^2 / Sxx).
    Columns: period, fit, low, high (in the values' own units).
    """
    pairs = [(fractional_year(d), math.log10(v)) for d, v in zip(dates, values, strict=True)
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


# --------------------------------------------------------------------------- words

def pct(rate: float, signed: bool = True) -> str:
    if rate is None or not math.isfinite(rate):
        return "n/a"
    return f"{100 * rate:+.0f}%" if signed else f"{100 * rate:.0f}%"


def change(rate: float) -> str:
    """'up 12%' / 'down 4%' / 'unchanged'."""
    if rate is None or not math.isfinite(rate):
        return "n/a"
    if round(100 * rate) == 0:
        return "unchanged"
    return f"{'up' if rate > 0 else 'down'} {abs(100 * rate):.0f}%"


def duration(years: float) -> str:
    if years is None or math.isnan(years):
        return "n/a"
    if math.isinf(years):
        return "never (not growing)"
    return f"{12 * years:.1f} months" if years < 2 else f"{years:.1f} years"


def compact(value: float) -> str:
    """1234 -> '1.2k', 5_802_361 -> '5.8M', 9.9e8 -> '990M', 2.5e9 -> '2.5bn'."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            v = value / size
            return f"{v:,.0f}{suffix}" if abs(v) >= 100 else f"{v:,.1f}{suffix}"
    return f"{value:,.0f}"


def usd_bn(value: float) -> str:
    return f"${value:,.1f}bn" if value < 100 else f"${value:,.0f}bn"
