"""Cell-level parse helpers every connector shares: numbers, counts, flags and dates from JSON or CSV values."""

from __future__ import annotations

import math
from datetime import date, datetime

# Spellings of "true" in the CSV exports we read (Airtable checkboxes export "checked").
_TRUE = frozenset({"true", "yes", "y", "1", "checked"})


def number(value, *, thousands: bool = False) -> float | None:
    """A finite float from a JSON number or a text cell; None when absent, blank, a bool or not a number.

    thousands=True drops "," separators first ("1,234.5" -> 1234.5), as CSV exports write them.
    """
    if value is None or isinstance(value, bool):  # JSON true/false is not a quantity
        return None
    if isinstance(value, str):
        value = value.strip()
        if thousands:
            value = value.replace(",", "")
        if not value:
            return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def positive(value, *, thousands: bool = False) -> float | None:
    """number(), kept only when > 0 (a zero or negative estimate means "none" in these datasets)."""
    result = number(value, thousands=thousands)
    return result if result is not None and result > 0 else None


def number_or_raw(value, *, absent: tuple[str, ...] = ("",)) -> float | str | None:
    """A price as float; None when absent; the raw text when unparsable, so validation rejects it with
    a reason (meta.rejects) instead of the parser dropping it silently."""
    if value is None or (isinstance(value, str) and value.strip() in absent):
        return None
    result = number(value)
    return result if result is not None else str(value)


def whole_count(value) -> int | None:
    """A whole count >= 1 ("8", 8, 8.0); None for blanks, fractions (a GPU slice) and zero."""
    result = number(value)
    if result is None or result < 1 or result != int(result):
        return None
    return int(result)


def flag(value) -> bool:
    """A truthy CSV cell ("True", "yes", "checked", "1"); blank and anything else are False."""
    return str(value if value is not None else "").strip().lower() in _TRUE


def day(value) -> date | None:
    """A date from 'YYYY-MM-DD...', 'YYYY-MM' (the 1st) or 'YYYY' (1 January); None if none of these."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return datetime.strptime(text[:size], fmt).date()
        except ValueError:
            continue
    return None


def aws_currency(region: str | None, file_name: str = "") -> str:
    """The currency of an AWS price: AWS's China regions (cn-north-1, cn-northwest-1, run by local
    partners) and Vantage's instances-cn.json price in CNY; every other region in USD."""
    if (region or "").startswith("cn-") or "instances-cn" in file_name:
        return "CNY"
    return "USD"
