"""Demand findings in numbers and words: the training-compute fits, spending and usage headlines.

`headline()` is what Overview shows (latest quarterly capex total and its growth; the latest fitted
training-compute growth factor with its confidence interval). The other functions are pure (frames
in, dicts out) so the Demand page and tests share them.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard import demand_metrics as dm

try:  # the connector owns the fit, so the page and the ETL report one number
    from etl.growth import fit_growth, t_quantile_975
except ImportError:  # pragma: no cover - connector not installed: fall back to Epoch's published figures
    fit_growth = t_quantile_975 = None

CAPEX_INDICATORS = ["hyperscaler_capex_sec", "hyperscaler_capex", "hyperscaler_capex_big4_total"]
DEPIN_USAGE = ["livepeer_minutes", "akash_active_leases", "livepeer_fees_usd", "akash_daily_spend_usd"]
FIT_SINCE = "2010-01-01"
# Epoch's domain labels (a model can have several; a filter matches any of them).
DOMAINS = ["all", "Language", "Vision", "Multimodal", "Image generation", "Speech", "Biology", "Games", "Robotics"]


# --------------------------------------------------------------------------- training compute

def training_fits(models: pd.DataFrame) -> list[dict]:
    """Log-linear fits of training compute on publication date: all notable models, then frontier models.

    models: period, flop, frontier. Each dict: name, growth_per_year, ci_low, ci_high, doubling_months,
    n, r2, band (trend and 95% band from first to last date), label. Groups with < 3 models are skipped.
    """
    if fit_growth is None or models.empty:
        return []
    out = []
    for name, part, colour in (("All notable models", models, "#0f5e4a"),
                               ("Frontier models", models[models["frontier"]], "#b3186b")):
        if len(part) < 3 or part["period"].nunique() < 2:
            continue
        dates = [pd.Timestamp(d).date() for d in part["period"]]
        fit = fit_growth(dates, list(part["flop"]))
        grid = pd.date_range(min(dates), max(dates), periods=60)
        band = dm.trend_band(dates, part["flop"], grid, t_quantile_975(fit["n"] - 2))
        label = (f"{name}: {fit['growth_per_year']:.1f}x per year "
                 f"(95% CI {fit['ci_low']:.1f}-{fit['ci_high']:.1f}x, n={fit['n']})")
        out.append({**fit, "name": name, "colour": colour, "band": band, "label": label,
                    "dash": name.startswith("Frontier")})
    return out


def training_title(fits: list[dict], since_year: int) -> str:
    if not fits:
        return "Training compute of notable AI models"
    first = fits[0]
    text = (f"{first['name'].replace('All notable', 'Notable')}: training compute grew {first['growth_per_year']:.1f}x "
            f"per year since {since_year}")
    if len(fits) > 1:
        text += f"; frontier models {fits[1]['growth_per_year']:.1f}x"
    return text


def fit_note(fits: list[dict]) -> str:
    if not fits:
        return "Too few models with a compute estimate in this selection to fit a trend."
    parts = [f"{f['name']}: {f['growth_per_year']:.2f}x per year, 95% CI {f['ci_low']:.2f}-{f['ci_high']:.2f}x, "
             f"doubling every {f['doubling_months']:.1f} months, n = {f['n']}, R² = {f['r2']:.2f}" for f in fits]
    return ("Trend: least-squares fit of log10(training compute) on publication date; shaded: 95% confidence "
            "band of the fitted trend. " + "; ".join(parts) + ". Compute figures are Epoch AI's estimates.")


def published_growth_text(published: pd.DataFrame, fits: list[dict]) -> str:
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
        g = fits[0]["growth_per_year"]
        inside = "inside" if lo <= g <= hi else "outside"
        text += f" The fit above ({g:.1f}x for all notable models in this selection) is {inside} that range."
    return text


# --------------------------------------------------------------------------- spending

def capex_summary(rows: pd.DataFrame) -> dict | None:
    """Latest Big-4 capex quarter: total, year-on-year and quarter-on-quarter growth, the latest quarter
    with a year-on-year figure, basis and as-of date (newest citation or filing date of that quarter)."""
    if rows.empty:
        return None
    stack, total, basis = dm.capex_quarters(rows)
    if total.empty:
        return None
    last = total.iloc[-1]
    with_yoy = total.dropna(subset=["yoy"])
    q_rows = rows[rows["period"].map(dm.calendar_quarter) == last["quarter"]]
    as_of = q_rows["ref_date"].dropna().astype(str).str[:10].max() if "ref_date" in q_rows else None
    return {
        "quarter": last["quarter"], "total_usd_bn": float(last["total"]),
        "yoy": None if pd.isna(last["yoy"]) else float(last["yoy"]),
        "qoq": None if pd.isna(last["qoq"]) else float(last["qoq"]),
        "last_yoy": None if with_yoy.empty else {"quarter": with_yoy.iloc[-1]["quarter"],
                                                  "yoy": float(with_yoy.iloc[-1]["yoy"])},
        "total_basis": last["basis"], "basis": basis, "as_of": as_of if isinstance(as_of, str) else None,
        "stack": stack, "totals": total,
    }


def capex_title(s: dict | None) -> str:
    if not s:
        return "Big-4 hyperscaler capex by quarter"
    head = "Big-4 hyperscaler capex"
    if s["yoy"] is not None:
        verb = "grew" if s["yoy"] >= 0 else "fell"
        return f"{head} {verb} {abs(100 * s['yoy']):.0f}% year on year to {dm.usd_bn(s['total_usd_bn'])} in {s['quarter']}"
    text = f"{head} reached {dm.usd_bn(s['total_usd_bn'])} in {s['quarter']}"
    if s["qoq"] is not None:
        text += f", {dm.change(s['qoq'])} on the previous quarter"
    if s["last_yoy"]:
        text += f" ({dm.pct(s['last_yoy']['yoy'])} year on year in {s['last_yoy']['quarter']})"
    return text


def capex_note(s: dict) -> str:
    complete = s["totals"]
    return (f"Basis: {s['basis']}. Black marks: the Big-4 total ({'; '.join(sorted(set(complete['basis'])))}); a "
            "stack below its mark means some companies' figures for that quarter are not in our data. Quarters are "
            "calendar quarters (fiscal quarters mapped by their middle month). Year-on-year growth needs the same "
            "quarter a year earlier, so gaps stay gaps.")


def revenue_summary(rows: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """NVIDIA data-centre revenue by fiscal quarter with year-on-year growth, and a finding as title."""
    if rows.empty:
        return rows, "NVIDIA data-centre revenue by fiscal quarter"
    out = dm.fiscal_yoy(dm.with_missing_quarters(rows))
    last = out.dropna(subset=["value"]).iloc[-1]
    title = f"NVIDIA data-centre revenue was {dm.usd_bn(last['value'])} in {last['period_label']}"
    if pd.notna(last["yoy"]):
        title += f", {dm.change(last['yoy'])} year on year"
    return out, title


# --------------------------------------------------------------------------- usage

def users_title(weekly: pd.DataFrame) -> str:
    if len(weekly) < 2:
        return "ChatGPT users"
    s = dm.as_series(weekly)
    months = dm.years_between(s.index[0], s.index[-1]) * 12
    return (f"ChatGPT reached {s.iloc[-1]:,.0f}M weekly active users in {s.index[-1]:%b %Y}, "
            f"{s.iloc[-1] / s.iloc[0]:.0f}x in {months:.0f} months (doubling every {dm.duration(dm.doubling_time(s))})")


def latest_title(rows: pd.DataFrame, template: str) -> str:
    """A finding for the newest period of a multi-entity indicator: `template` is formatted with the leading
    entity, its value (compact), the date (e.g. 'Apr 2026') and how many entities are compared."""
    latest = rows[rows["period"] == rows["period"].max()].sort_values("value", ascending=False)
    top = latest.iloc[0]
    return template.format(entity=top["entity"], value=dm.compact(top["value"]), n=len(latest),
                           date=f"{pd.Timestamp(top['period']):%b %Y}", day=f"{pd.Timestamp(top['period']):%Y-%m-%d}")


def depin_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Decentralised-network usage rows, labelled and in DEPIN_USAGE order (usage first, then money)."""
    out = rows.assign(label=[dm.series_label(i, e) for i, e in zip(rows["indicator"], rows["entity"], strict=True)],
                      _order=rows["indicator"].map({k: i for i, k in enumerate(DEPIN_USAGE)}))
    return out.sort_values(["_order", "entity", "period"]).drop(columns="_order")


def depin_title(rows: pd.DataFrame) -> str:
    """The first series' latest 30-day mean and its change on a year before."""
    first = rows[rows["indicator"] == rows["indicator"].iloc[0]].sort_values("period")
    s = dm.as_series(first).rolling("30D").mean()
    end = s.index[-1]
    before = dm.value_at(s, end - pd.DateOffset(years=1))
    text = f"{first['label'].iloc[0]}: {s.iloc[-1]:,.0f} (30-day mean to {end:%b %Y})"
    if math.isfinite(before) and before:
        text += f", {dm.change(s.iloc[-1] / before - 1)} on a year before"
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
            f"doubling every {dm.duration(top['doubling time (years)'])}")


# --------------------------------------------------------------------------- Overview

def summarise(capex_rows: pd.DataFrame, models: pd.DataFrame, published: pd.DataFrame) -> dict:
    """The Overview headline from frames (pure): see headline()."""
    capex = capex_summary(capex_rows)
    if capex:
        capex = {k: v for k, v in capex.items() if k not in ("stack", "totals")}
        capex["text"] = capex_title(capex)
    fits = training_fits(models[models["period"] >= pd.Timestamp(FIT_SINCE)]) if not models.empty else []
    training = None
    if fits:
        f = fits[0]
        training = {k: f[k] for k in ("growth_per_year", "ci_low", "ci_high", "doubling_months", "n", "r2")}
        training.update(basis="fitted to Epoch AI Notable AI Models", since=FIT_SINCE[:4],
                        as_of=str(pd.Timestamp(models["period"].max()).date()),
                        frontier=({k: fits[1][k] for k in ("growth_per_year", "ci_low", "ci_high", "n")}
                                  if len(fits) > 1 else None))
    elif not published.empty:  # no model-level data loaded: Epoch's own published figure
        p = published.sort_values("ref_date").iloc[-1]
        training = {"growth_per_year": float(p["value"]),
                    "ci_low": None if pd.isna(p["value_low"]) else float(p["value_low"]),
                    "ci_high": None if pd.isna(p["value_high"]) else float(p["value_high"]),
                    "doubling_months": 12 * math.log(2) / math.log(float(p["value"])), "n": None, "r2": None,
                    "basis": f"published by {p['entity']} trend, Epoch AI", "since": str(p["period_label"]),
                    "as_of": str(p["ref_date"])[:10], "frontier": None, "ref_url": p["ref_url"]}
    if training:
        ci = (f" (95% CI {training['ci_low']:.1f}-{training['ci_high']:.1f}x)"
              if training.get("n") and training["ci_low"] else "")
        training["text"] = f"Training compute of notable AI models grows {training['growth_per_year']:.1f}x a year{ci}"
    return {"capex": capex, "training": training}


def headline() -> dict:
    """For Overview: {"capex": {quarter, total_usd_bn, yoy, qoq, last_yoy, basis, as_of, text} | None,
    "training": {growth_per_year, ci_low, ci_high, doubling_months, n, since, basis, as_of, frontier, text} | None}.

    Reads the published warehouse through dashboard.queries (cached)."""
    from dashboard import queries

    capex_rows = queries.named("demand_indicators", ([*CAPEX_INDICATORS],))
    models = queries.named("demand_training_compute", (FIT_SINCE, "all", "all"))
    published = queries.named("demand_indicators", (["training_compute_growth"],))
    published = published[published["entity"] == "Notable AI models"]
    return summarise(capex_rows, models, published)
