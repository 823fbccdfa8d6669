"""Every number, money, range and date formatter of the dashboard, once: values in, display strings out.

Pure (no Streamlit, no DuckDB). Rates are fractions (0.12 = 12%); money is in US dollars unless the
name says billions (`_bn`).
"""

from __future__ import annotations

import math

import pandas as pd

NA = "n/a"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _sign(value: float, signed: bool) -> str:
    """'+' / '-' / '' for a signed difference, else '-' only for a negative value."""
    if signed:
        return "+" if value > 0 else "-" if value < 0 else ""
    return "-" if value < 0 else ""


# --------------------------------------------------------------------------- money

def price(value: float | None) -> str:
    """A GPU-hour price: '$2.90'; 'n/a' when missing."""
    return NA if _missing(value) or pd.isna(value) else f"${value:,.2f}"


def money(value: float, *, signed: bool = False) -> str:
    """A small amount per user: '$0.044' below a dollar, '$1.25' above; signed=True shows '+' too."""
    size = abs(value)
    return f"{_sign(value, signed)}${size:,.3f}" if size < 1 else f"{_sign(value, signed)}${size:,.2f}"


def money_per_year(bn: float, *, signed: bool = False) -> str:
    """An amount in USD bn: '$95.9m' below a billion, '$1.25bn' above."""
    size = abs(bn)
    return f"{_sign(bn, signed)}${size * 1000:,.1f}m" if size < 1 else f"{_sign(bn, signed)}${size:,.2f}bn"


def millions_per_year(bn: float) -> str:
    """An amount in USD bn shown in whole millions: 0.0959 -> '$96m'."""
    return f"${bn * 1000:,.0f}m"


def usd_bn(value: float) -> str:
    """A company figure in USD bn: '$62.3bn' below 100, '$128bn' from 100."""
    return f"${value:,.1f}bn" if value < 100 else f"${value:,.0f}bn"


def in_unit(value: float, unit: str, *, signed: bool = False) -> str:
    """A scenario output in its unit: 'USD bn...' as money_per_year, 'USD...' as money, '%' signed
    (a difference in percentage points 'pp'), except a '% of ...' share, which is a cut and unsigned."""
    if unit.startswith("USD bn"):
        return money_per_year(value, signed=signed)
    if unit.startswith("USD"):
        return money(value, signed=signed)
    if signed:
        return f"{value:+.1f} pp"
    return f"{value:.1f}%" if unit.startswith("% of") else f"{value:+.1f}%"


# --------------------------------------------------------------------------- numbers and rates

def pct(rate: float | None, signed: bool = True) -> str:
    """0.12 -> '+12%' (signed) or '12%'; 'n/a' when missing or not finite."""
    if rate is None or not math.isfinite(rate):
        return NA
    return f"{100 * rate:+.0f}%" if signed else f"{100 * rate:.0f}%"


def change(rate: float | None) -> str:
    """'up 12%' / 'down 4%' / 'unchanged'."""
    if rate is None or not math.isfinite(rate):
        return NA
    if round(100 * rate) == 0:
        return "unchanged"
    return f"{'up' if rate > 0 else 'down'} {abs(100 * rate):.0f}%"


def compact(value: float) -> str:
    """1234 -> '1.2k', 5_802_361 -> '5.8M', 9.9e8 -> '990M', 2.5e9 -> '2.5bn'."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            v = value / size
            return f"{v:,.0f}{suffix}" if abs(v) >= 100 else f"{v:,.1f}{suffix}"
    return f"{value:,.0f}"


def factor(value: float | None, suffix: str = "x", digits: int = 2) -> str:
    """A multiple: 0.64 -> '0.64x' (or '0.64×'); 'n/a' when missing or zero."""
    return f"{value:.{digits}f}{suffix}" if value else NA


def relative(ratio: float) -> str:
    """A ratio as a signed difference from 1: 0.64 -> '-36%'."""
    return f"{ratio - 1:+.0%}"


def number_range(low: float, high: float, template: str = "{:,.0f}", unit: str = "") -> str:
    """'1,450 to 1,936', or one number when both ends look the same once formatted ('64% to 79%')."""
    a, b = template.format(low) + unit, template.format(high) + unit
    return a if a == b else f"{a} to {b}"


# --------------------------------------------------------------------------- time

def duration(years: float | None) -> str:
    """A doubling time: '7.3 months' under two years, '2.5 years' from two; 'never' when not growing."""
    if years is None or math.isnan(years):
        return NA
    if math.isinf(years):
        return "never (not growing)"
    return f"{12 * years:.1f} months" if years < 2 else f"{years:.1f} years"


def day(value) -> str:
    """A date as 'YYYY-MM-DD'; 'never' when missing."""
    if _missing(value):
        return "never"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def cadence(hours: float) -> str:
    """A refresh cadence: '7 d' from two days, else '6 h'."""
    return f"{hours / 24:g} d" if hours >= 48 else f"{hours} h"
