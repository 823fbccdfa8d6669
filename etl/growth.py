"""Pure growth fits: log-linear OLS trend with its 95% interval (Epoch AI's method for compute trends).

Reference: docs/METHODOLOGY.md, "Growth fits". Used by the epoch_models connector and the dashboard.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime

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
