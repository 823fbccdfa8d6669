"""Epoch AI notable AI models: training compute per model, and the log-linear growth fit."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from etl.provenance import License, Payload, Source

URL = "https://epoch.ai/data/notable_ai_models.csv"
INDICATOR = "training_compute_flop"
UNIT = "FLOP"
REQUIRED_COLUMNS = ("Model", "Organization", "Publication date", "Training compute (FLOP)")

SOURCE = Source(
    name="epoch_models",
    title="Epoch AI: Notable AI Models",
    producer="Epoch AI",
    url_main="https://epoch.ai/data/notable-ai-models",
    url_download=(URL,),
    license=License("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    citation="Epoch AI (2025). Data on Notable AI Models. Published online at epoch.ai. "
    "https://epoch.ai/data/notable-ai-models",
    cadence_hours=24 * 7,
    segment=None,
    tables=("indicators",),
    description=(
        "One row per notable model with a training-compute estimate: indicator "
        "`training_compute_flop` (unit FLOP, total training compute), entity = model name, period = "
        "publication date. `note` is compact JSON with organization, country (deduplicated), "
        "frontier (Epoch's 'Frontier model' flag: among the top 10 by compute when released), "
        "domain and Epoch's confidence in the estimate, so pages can filter. Models without a "
        "compute estimate or a date (about half the dataset) are skipped, not rejected. Estimates "
        "are Epoch's, often from hardware x time x utilisation; see its documentation. "
        "Growth of frontier training compute: 4-5x a year (Epoch); `fit_growth` reproduces it."
    ),
    load="replace",
    captures=("epoch/notable_ai_models.csv",),
    capture_dates=(("epoch/*", "2025-11-01"),),  # the captured Epoch snapshot
    rate_limit_per_minute=30,
)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="notable_ai_models.csv", expect=None)]


# --------------------------------------------------------------------------- parse

def _read(payload: Payload) -> list[dict]:
    text = payload.body.decode("utf-8-sig", errors="replace")
    if text.lstrip()[:1] in ("<", "{", "["):
        raise ValueError(f"epoch_models: {payload.name} is not CSV (starts {text.lstrip()[:40]!r})")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"epoch_models: {payload.name} lacks columns {missing} (schema drift?); "
                         f"got {(reader.fieldnames or [])[:10]}")
    return list(reader)


def _date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return datetime.strptime(value[:size], fmt).date()
        except ValueError:
            continue
    return None


def _float(value: str | None) -> float | None:
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _unique_join(value: str | None) -> str | None:
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    return ",".join(dict.fromkeys(parts)) or None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "yes", "1", "checked", "y")


def model_rows(payload: Payload) -> tuple[list[dict], int]:
    """(rows, skipped): skipped counts models without a compute estimate or a publication date."""
    rows, skipped = [], 0
    for r in _read(payload):
        when, flop = _date(r.get("Publication date")), _float(r.get("Training compute (FLOP)"))
        name = (r.get("Model") or "").strip()
        if when is None or flop is None or not name:
            skipped += 1
            continue
        meta = {
            "organization": (r.get("Organization") or "").strip() or None,
            "country": _unique_join(r.get("Country (of organization)")),
            "frontier": _truthy(r.get("Frontier model")),
            "domain": (r.get("Domain") or "").strip() or None,
            "confidence": (r.get("Confidence") or "").strip() or None,
        }
        link = (r.get("Link") or "").strip().split()
        rows.append({
            "table": "indicators",
            "period": when.isoformat(),
            "period_label": when.isoformat(),
            "indicator": INDICATOR,
            "entity": name,
            "value": flop,
            "unit": UNIT,
            "ref_url": link[0] if link else None,
            "ref_date": None,
            "confidence": None,
            "note": json.dumps({k: v for k, v in meta.items() if v is not None}, separators=(",", ":"),
                               ensure_ascii=False),
        })
    return rows, skipped


def parse(payload: Payload) -> Iterator[dict]:
    """indicators rows, one per model with both a training-compute estimate and a date."""
    rows, _ = model_rows(payload)
    yield from rows


# --------------------------------------------------------------------------- growth fit

# Two-sided 95% Student t quantiles t(0.975, df) for small df; larger df use a Cornish-Fisher series.
_T975 = {1: 12.706205, 2: 4.302653, 3: 3.182446, 4: 2.776445, 5: 2.570582, 6: 2.446912, 7: 2.364624,
         8: 2.306004, 9: 2.262157, 10: 2.228139, 11: 2.200985, 12: 2.178813, 13: 2.160369,
         14: 2.144787, 15: 2.131450, 16: 2.119905, 17: 2.109816, 18: 2.100922, 19: 2.093024,
         20: 2.085963, 21: 2.079614, 22: 2.073873, 23: 2.068658, 24: 2.063899, 25: 2.059539,
         26: 2.055529, 27: 2.051831, 28: 2.048407, 29: 2.045230, 30: 2.042272}
_Z975 = 1.959963984540054


def t_quantile_975(df: int) -> float:
    """t(0.975, df): a table up to 30, then Cornish-Fisher (Abramowitz & Stegun 26.7.5; error < 1e-6)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df in _T975:
        return _T975[df]
    z, v = _Z975, float(df)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / v + g2 / v**2 + g3 / v**3 + g4 / v**4


def fractional_year(d: date | datetime | str) -> float:
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = d.date()
    start = date(d.year, 1, 1)
    length = (date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / length


def fit_growth(dates: Iterable, flops: Iterable[float]) -> dict:
    """OLS of log10(compute) on fractional year.

    Returns growth_per_year = 10**slope with its 95% confidence interval (t distribution, n-2 df),
    doubling_months = 12 * log(2) / log(growth), n and r2. Non-positive or missing values are dropped.
    """
    xs: list[float] = []
    ys: list[float] = []
    for d, f in zip(dates, flops, strict=True):
        if d is None or f is None or not (isinstance(f, int | float) and math.isfinite(f) and f > 0):
            continue
        xs.append(fractional_year(d))
        ys.append(math.log10(f))
    n = len(xs)
    if n < 3:
        raise ValueError(f"fit_growth needs at least 3 points, got {n}")
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        raise ValueError("fit_growth: all dates are equal")
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = my - slope * mx
    ss_res = math.fsum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = math.fsum((y - my) ** 2 for y in ys)
    se = math.sqrt(ss_res / (n - 2) / sxx)
    half = t_quantile_975(n - 2) * se
    growth = 10**slope
    return {
        "growth_per_year": growth,
        "ci_low": 10 ** (slope - half),
        "ci_high": 10 ** (slope + half),
        "doubling_months": 12 * math.log(2) / math.log(growth) if growth > 1 else math.inf,
        "n": n,
        "r2": 1 - ss_res / ss_tot if ss_tot else 1.0,
    }


def fit_rows(rows: Sequence[dict], since: str = "2010-01-01", frontier_only: bool = False) -> dict:
    """fit_growth on parsed rows (as `parse` yields them) published on or after `since`."""
    chosen = [r for r in rows if r["period"] >= since
              and (not frontier_only or json.loads(r["note"]).get("frontier"))]
    return fit_growth([r["period"] for r in chosen], [r["value"] for r in chosen])
