"""Market-concentration measures (HHI, bounds, merger tests, CRk, Gini/Lorenz, Nakamoto) in pure Python."""

from __future__ import annotations

import math
import operator
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "BANDS",
    "BAND_SOURCES",
    "GUIDELINE_NAMES",
    "Band",
    "classify",
    "cr",
    "delta_hhi",
    "entry_hhi",
    "equivalent_firms",
    "gini",
    "hhi",
    "hhi_bounds",
    "lorenz",
    "merger_verdict",
    "nakamoto",
    "post_merger_hhi",
    "shares_from_values",
    "verdict",
]

# Full market and rounding tolerance for each share scale: published shares are
# rounded, so a list may add up to slightly more than 100%.
_SCALES = {
    "percent": (100.0, 0.5),  # shares 0-100, tolerance 0.5 percentage points
    "fraction": (1.0, 0.005),  # shares 0-1, tolerance 0.005
}
_MAX_HHI = 10_000.0
# Band edges are compared after rounding the HHI to this many decimals, so float
# noise (e.g. 1800.0000000000002 from fraction shares) does not flip a band.
_EDGE_DECIMALS = 6
# Relative tolerance for "combined share exceeds the threshold" in nakamoto().
_NAKAMOTO_EPS = 1e-12


# --------------------------------------------------------------------------- #
# Input handling
# --------------------------------------------------------------------------- #
def _as_floats(values: Iterable[float], what: str = "shares") -> list[float]:
    """Finite, non-negative floats from any iterable of numbers (list, numpy array, pandas Series)."""
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{what} must be an iterable of numbers, got the string {values!r}")
    try:
        items = list(values)
    except TypeError:
        raise ValueError(f"{what} must be an iterable of numbers, got {type(values).__name__}") from None
    out: list[float] = []
    for pos, v in enumerate(items):
        if isinstance(v, (str, bytes)):
            raise ValueError(f"{what}[{pos}] = {v!r} is not a number")
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{what}[{pos}] = {v!r} is not a number") from None
        if not math.isfinite(x):
            raise ValueError(f"{what}[{pos}] = {x!r} is not finite (NaN or infinity)")
        if x < 0:
            raise ValueError(f"{what}[{pos}] = {x!r} is negative")
        out.append(x)
    if not out:
        raise ValueError(f"{what} is empty")
    return out


def _scale(scale: str) -> tuple[float, float]:
    try:
        return _SCALES[scale]
    except (KeyError, TypeError):
        raise ValueError(f"unknown scale {scale!r}; use 'percent' (0-100) or 'fraction' (0-1)") from None


def _check_sum(shares: list[float], full: float, tol: float, what: str = "shares") -> float:
    total = math.fsum(shares)
    if total > full + tol:
        raise ValueError(
            f"{what} sum to {total:g}, more than the whole market ({full:g}) "
            f"beyond the rounding tolerance of {tol:g}"
        )
    return total


def _number(x: float, what: str) -> float:
    if isinstance(x, (str, bytes)):
        raise ValueError(f"{what} = {x!r} is not a number")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{what} = {x!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{what} = {v!r} is not finite (NaN or infinity)")
    return v


def _hhi_value(x: float, what: str = "hhi") -> float:
    v = _number(x, what)
    if v < 0:
        raise ValueError(f"{what} = {v!r} is negative")
    if v > (100.0 + _SCALES["percent"][1]) ** 2:
        raise ValueError(f"{what} = {v!r} is above 10,000 (the percent-scale maximum)")
    return round(v, _EDGE_DECIMALS)


def _fmt(x: float) -> str:
    """1800 -> '1,800'; 1800.25 -> '1,800.2'."""
    if abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    return f"{x:,.1f}"


# --------------------------------------------------------------------------- #
# HHI and merger arithmetic
# --------------------------------------------------------------------------- #
def hhi(shares: Iterable[float], scale: str = "percent") -> float:
    """Herfindahl-Hirschman Index: HHI = sum_i s_i**2 over every firm in the market.

    Units: with ``scale="percent"`` shares are 0-100 and the result runs 0-10,000
    (monopoly = 100**2 = 10,000), the scale the US agencies and the European
    Commission use; with ``scale="fraction"`` shares are 0-1 and the result H runs
    0-1, with HHI_percent = 10,000 * H. Example: 40/30/20/10 -> 3,000 (0.30).

    If the shares cover only part of the market (sum below 100%), the result is the
    HHI of the listed firms, i.e. the lower bound of ``hhi_bounds``.

    Raises ValueError for empty input, a negative, NaN or infinite share, a sum above
    the whole market beyond rounding tolerance (0.5 percentage points, or 0.005 on
    the fraction scale), or an unknown scale.

    Reference: U.S. DOJ & FTC, Merger Guidelines (2023), Guideline 1 / s.2.1; European
    Commission, Horizontal Merger Guidelines, OJ C 31, 5.2.2004, para 16.
    """
    full, tol = _scale(scale)
    s = _as_floats(shares, "shares")
    _check_sum(s, full, tol)
    return math.fsum(x * x for x in s)


def hhi_bounds(known_shares_pct: Iterable[float], total: float = 100.0) -> tuple[float, float]:
    """Bounds on the HHI when only the largest firms' shares are published.

    With known shares s_1..s_m and residual R = total - sum(s) held by unlisted firms,
    each of which is no larger than the smallest published share s_min:

    * low  = sum s_i**2. The residual split among infinitely many tiny firms adds
      (in the limit) nothing.
    * high = sum s_i**2 + k * s_min**2 + r**2, with k = floor(R / s_min) and
      r = R - k * s_min: the residual packed into k firms as large as s_min plus one
      remainder firm. This maximises the (convex) sum of squares given the cap.

    Units: shares and ``total`` share a unit, and the bounds are in that unit
    squared; with the default total=100 (percent shares) they are on the 0-10,000
    scale. If the known shares add up to ``total`` (within the 0.5%-of-total rounding
    tolerance), low == high. Zero shares in the list are ignored for s_min.

    Raises ValueError as ``hhi`` does (empty, negative, NaN/inf, sum above total
    beyond tolerance), for total <= 0, or when a residual remains but no published
    share is positive (the residual could then not be bounded).

    Reference: docs/METHODOLOGY.md §1.4 (bounds for truncated share lists), e.g. Synergy
    Q4 2025 (28/21/15) -> (1,450, 1,936); UK CMA 2024 (AWS and Microsoft 30-40%
    each) -> low >= 1,800. HHI definition per DOJ/FTC Merger Guidelines 2023, s.2.1.
    """
    tot = _number(total, "total")
    if tot <= 0:
        raise ValueError(f"total = {tot!r} must be positive")
    s = _as_floats(known_shares_pct, "known_shares_pct")
    known = _check_sum(s, tot, 0.005 * tot, "known_shares_pct")
    low = math.fsum(x * x for x in s)
    residual = tot - known
    if residual <= 1e-12 * tot:
        return low, low
    positive = [x for x in s if x > 0]
    if not positive:
        raise ValueError(
            "known_shares_pct has no positive share, so the residual "
            f"{residual:g} cannot be bounded by the smallest published share"
        )
    s_min = min(positive)
    k = math.floor(residual / s_min)
    r = max(residual - k * s_min, 0.0)
    high = math.fsum([low, k * s_min * s_min, r * r])
    return low, max(high, low)


# --------------------------------------------------------------------------- #
# Published top-firm lists: the residual, completeness and normalisation rules
# --------------------------------------------------------------------------- #
# A source that publishes only its largest firms leaves a residual of unnamed firms
# (docs/METHODOLOGY.md §1.4). Shares are in percent throughout.
RESIDUAL = "Others (unpublished)"
FULL_PCT = 100.0
COMPLETE_TOL = 0.5  # published shares within 0.5 points of 100% cover the whole market (rounding)
NORMALISE_MAX = 105.0  # shares summing to more than this are an error, not rounding: the list is refused
NOTE_OVER = 100.05  # shares summing above this are scaled to 100% with a note


@dataclass
class Entity:
    """One listed firm: its point share (percent), the published range if any, and its value."""

    name: str
    share: float
    low: float | None = None
    high: float | None = None
    value: float | None = None
    ref_url: str | None = None


@dataclass(frozen=True)
class ListIndices:
    """The indices of one published share list (docs/METHODOLOGY.md §1.1-§1.4).

    entities: the listed firms after merging duplicates and normalising, largest first.
    total: the listed firms' percent after normalisation; residual: 100 minus that, never negative.
    hhi_low/hhi_high: the bounds (equal when the list is complete); hhi: their midpoint, for plotting.
    """

    entities: list[Entity]
    total: float
    residual: float
    bounded: bool
    hhi: float
    hhi_low: float
    hhi_high: float
    method: str
    cr4: float
    cr4_high: float
    nakamoto: int | None
    gini: float | None
    gini_scope: str | None
    notes: list[str] = field(default_factory=list)


def residual_pct(total: float) -> float:
    """The unpublished share: 100% minus the listed firms' percent (0 when they cover it all)."""
    return max(FULL_PCT - total, 0.0)


def is_complete(total: float) -> bool:
    """Whether listed shares summing to `total` percent cover the whole market, up to rounding."""
    return residual_pct(total) <= COMPLETE_TOL


def merge_duplicates(entities: Iterable[Entity], notes: list[str]) -> list[Entity]:
    """One entity per name, shares (and ranges, values) added, largest first; a note per duplicate."""
    merged: dict[str, Entity] = {}
    for e in entities:
        if e.name in merged:
            m = merged[e.name]
            notes.append(f"{e.name} listed twice; shares added")
            m.share += e.share
            m.low = None if m.low is None or e.low is None else m.low + e.low
            m.high = None if m.high is None or e.high is None else m.high + e.high
            m.value = None if m.value is None or e.value is None else m.value + e.value
        else:
            merged[e.name] = Entity(e.name, e.share, e.low, e.high, e.value, e.ref_url)
    return sorted(merged.values(), key=lambda e: (-e.share, e.name))


def normalise(entities: list[Entity], notes: list[str]) -> float:
    """Scale shares summing to more than 100% back to 100% (in place); returns the listed total.

    Up to NOTE_OVER is float noise or rounding and is scaled silently; up to NORMALISE_MAX is scaled
    with a note; beyond that the list is an error (ValueError).
    """
    total = math.fsum(e.share for e in entities)
    if total > NORMALISE_MAX:
        raise ValueError(f"shares sum to {total:.1f}%, beyond rounding (max {NORMALISE_MAX:g}%)")
    if total > NOTE_OVER:
        scale = FULL_PCT / total
        notes.append(f"published shares sum to {total:.1f}%; scaled to 100%")
        for e in entities:
            e.share *= scale
            e.low = None if e.low is None else e.low * scale
            e.high = None if e.high is None else e.high * scale
        return FULL_PCT
    if total > FULL_PCT:
        for e in entities:
            e.share *= FULL_PCT / total
        return FULL_PCT
    return total


def list_indices(entities: Iterable[Entity], *, gaps: Iterable[str] = (), larger_missing: bool = False,
                 notes: Iterable[str] = (), cap: tuple[float, str] | None = None) -> ListIndices:
    """HHI bounds, CR4 (and its upper end), Nakamoto and Gini of one published share list.

    gaps: firms usually listed but missing this time; larger_missing: one of them is usually larger
    than the smallest listed firm, so the residual may hold firms up to the largest listed one
    (the upper bound uses that cap instead of the smallest listed share); cap: (share, why), a
    published next-firm share capping every unlisted firm (§1.10), used when no usual firm is missing.
    Raises ValueError when the
    shares cannot describe a market (none positive, or summing to more than NORMALISE_MAX percent).
    Reference: docs/METHODOLOGY.md §1.1 (HHI), §1.3 (CR4, Nakamoto, Gini), §1.4 (bounds).
    """
    notes = list(notes)
    gaps = list(gaps)
    listed = merge_duplicates([e for e in entities if e.share is not None and e.share >= 0], notes)
    listed = [e for e in listed if e.share > 0 or (e.high or 0) > 0]
    if not listed or not any(e.share > 0 for e in listed):
        raise ValueError("no positive share")
    total = normalise(listed, notes)

    shares = [e.share for e in listed]
    lows = [e.low if e.low is not None else e.share for e in listed]
    highs = [e.high if e.high is not None else e.share for e in listed]
    residual = residual_pct(total)
    complete = is_complete(total)
    bounded = not complete or lows != shares or highs != shares
    positive = [s for s in shares if s > 0]
    tail = cap if cap is not None and not larger_missing else None

    if not bounded:
        value = hhi(shares)
        low = high = value
        method = "sum of squared shares (whole market)"
    else:
        low = math.fsum(x * x for x in lows)  # residual infinitely fragmented, shares at their low ends
        if cap is not None and not larger_missing:
            cap, why = cap
            method = f"bounds: residual fragmented (low) or in firms no larger than {cap:g}% ({why}) (high)"
        elif larger_missing:
            cap = max(shares)
            method = ("bounds: residual split into firms no larger than the largest listed one, because "
                      f"usually larger firms are missing ({', '.join(gaps)})")
        else:
            cap = None
            method = "bounds: residual fragmented (low) or in firms no larger than the smallest listed (high)"
        # The point shares and, where ranges were published, their high ends (if they fit in 100%).
        candidates = [shares] + ([highs] if highs != shares and math.fsum(highs) <= FULL_PCT + COMPLETE_TOL else [])
        high = max([low] + [hhi_bounds(v)[1] if cap is None else hhi_upper_capped(v, cap) for v in candidates])
        value = (low + high) / 2
        method += "; hhi = midpoint, for plotting"
    m = len(listed)
    if complete:
        cr4_high = cr(highs, 4)
    elif larger_missing:  # any four firms hold at most the four largest listed plus the whole residual
        cr4_high = min(FULL_PCT, cr(highs, 4) + residual)
    elif tail is not None and tail[0] > 0:  # unlisted firms are at most the published next firm's share
        k = math.floor(residual / tail[0])
        pieces = [tail[0]] * min(k, 4) + ([residual - k * tail[0]] if k < 4 else [])
        cr4_high = min(FULL_PCT, cr(highs + pieces, 4))
    else:  # listed firms are the largest; missing top-4 places are no larger than the smallest listed
        cr4_high = min(FULL_PCT, cr(highs, 4) + min(residual, max(4 - m, 0) * min(positive)))
    if complete:
        n_firms = nakamoto(shares)
    elif larger_missing:
        n_firms = None
    else:  # listed firms are the largest: the count is exact if they pass 50% of the whole market
        threshold = 0.5 * FULL_PCT / total
        n_firms = nakamoto(shares, threshold=threshold) if threshold < 1 else None
    values = [e.value if e.value is not None else e.share for e in listed]
    g = gini(values) if m >= 2 else None
    scope = ("all entities" if complete else f"the {m} listed firms only") if g is not None else None
    if gaps:
        notes.append(f"not published this period: {', '.join(gaps)}, usually listed, so the range is wide; "
                     "left out of the trend chart")
    return ListIndices(entities=listed, total=total, residual=residual, bounded=bounded, hhi=value, hhi_low=low,
                       hhi_high=high, method=method, cr4=cr(shares, 4), cr4_high=cr4_high, nakamoto=n_firms,
                       gini=g, gini_scope=scope, notes=notes)


def regular_firms(by_period: dict) -> dict[str, float]:
    """The firms listed in at least half of a market's periods, with their median listed share (NaN when
    they were never given a share): the firms a period's list is expected to name."""
    periods: dict[str, set] = {}
    shares: dict[str, list[float]] = {}
    for key, entities in by_period.items():
        for e in entities:
            periods.setdefault(e.name, set()).add(key)
            shares.setdefault(e.name, [])
            if e.share is not None:
                shares[e.name].append(e.share)
    return {name: statistics.median(shares[name]) if shares[name] else math.nan
            for name in sorted(periods) if len(periods[name]) * 2 >= len(by_period)}


def listing_gaps(by_period: dict, regular_share: dict[str, float], n_periods: int) -> dict:
    """Per period: (regular firms missing from an incomplete list, whether one is usually larger than the
    smallest listed firm). Regular = listed in at least half of the market's periods; a list that covers
    the market, or a market with one period, has no gaps."""
    out = {}
    for key, entities in by_period.items():
        names = {e.name for e in entities}
        positive = [e.share for e in entities if e.share and e.share > 0]
        if not positive or is_complete(math.fsum(positive)) or n_periods < 2:
            out[key] = ([], False)
            continue
        missing = sorted((n for n in regular_share if n not in names), key=lambda n: -regular_share[n])
        out[key] = (missing, any(regular_share[n] > min(positive) for n in missing))
    return out


def delta_hhi(s1: float, s2: float) -> float:
    """Change in HHI when two firms merge: delta = (s1 + s2)**2 - s1**2 - s2**2 = 2 * s1 * s2.

    Units: shares in percent (0-100); delta in HHI points (0-10,000 scale).
    Example: merging 25% and 20% adds 2 * 25 * 20 = 1,000 points.

    Reference: U.S. DOJ & FTC, Merger Guidelines (2023), s.2.1; Horizontal Merger
    Guidelines (2010), s.5.3.
    """
    a = _number(s1, "s1")
    b = _number(s2, "s2")
    for name, v in (("s1", a), ("s2", b)):
        if v < 0:
            raise ValueError(f"{name} = {v!r} is negative")
        if v > 100.0 + _SCALES["percent"][1]:
            raise ValueError(f"{name} = {v!r} is above 100%")
    return 2.0 * a * b


def post_merger_hhi(shares: Iterable[float], i: int, j: int) -> float:
    """HHI after the firms at positions i and j merge (their shares are added).

    HHI_post = HHI_pre - s_i**2 - s_j**2 + (s_i + s_j)**2 = HHI_pre + 2 * s_i * s_j.

    Units: shares in percent (0-100), validated as by ``hhi``; result on the
    0-10,000 scale. Positions follow Python indexing (negative counts from the end);
    i and j must name two different firms, else ValueError.
    Example: 25/20/15/10/8/7/6/5/4 (HHI 1,540) -> 2,540 merging the two largest,
    1,580 merging the two smallest.

    Reference: U.S. DOJ & FTC, Merger Guidelines (2023), s.2.1; docs/METHODOLOGY.md §1.1.
    """
    s = _as_floats(shares, "shares")
    _check_sum(s, *_SCALES["percent"])
    n = len(s)
    pos = []
    for name, idx in (("i", i), ("j", j)):
        try:
            p = operator.index(idx)
        except TypeError:
            raise ValueError(f"{name} = {idx!r} is not an integer position") from None
        if not -n <= p < n:
            raise ValueError(f"{name} = {p} is out of range for {n} firms")
        pos.append(p % n)
    if pos[0] == pos[1]:
        raise ValueError(f"i and j refer to the same firm (position {pos[0]}); a merger needs two firms")
    merged = [x for k, x in enumerate(s) if k not in pos] + [s[pos[0]] + s[pos[1]]]
    return math.fsum(x * x for x in merged)


# --------------------------------------------------------------------------- #
# Guideline thresholds
# --------------------------------------------------------------------------- #
class Band(NamedTuple):
    """One concentration band: ``label`` for HHI from ``low`` to ``high`` (0-10,000 scale)."""

    label: str
    low: float
    high: float


GUIDELINE_NAMES: dict[str, str] = {
    "us2023": "2023 US Merger Guidelines",
    "us2010": "2010 US Horizontal Merger Guidelines",
    "eu2004": "2004 EU Horizontal Merger Guidelines",
}

# Ordered low -> high. Edge convention used by classify(): the first band excludes
# its upper edge, middle bands include both edges, the last band excludes its lower
# edge (US 2023: "greater than 1,800"; US 2010: "below 1,500", "between 1,500 and
# 2,500", "above 2,500"; EU 2004: "below 1,000", "between 1,000 and 2,000",
# "above 2,000").
BANDS: dict[str, list[Band]] = {
    "us2023": [
        Band("unconcentrated", 0.0, 1_000.0),
        Band("moderately concentrated", 1_000.0, 1_800.0),
        Band("highly concentrated", 1_800.0, _MAX_HHI),
    ],
    "us2010": [
        Band("unconcentrated", 0.0, 1_500.0),
        Band("moderately concentrated", 1_500.0, 2_500.0),
        Band("highly concentrated", 2_500.0, _MAX_HHI),
    ],
    "eu2004": [
        Band("low concentration", 0.0, 1_000.0),
        Band("moderate concentration", 1_000.0, 2_000.0),
        Band("high concentration", 2_000.0, _MAX_HHI),
    ],
}

BAND_SOURCES: dict[str, str] = {
    "us2023": (
        "U.S. DOJ & FTC, Merger Guidelines (18 Dec 2023), Guideline 1 / s.2.1: HHI greater than 1,800 "
        "is highly concentrated and a change of more than 100 points is a significant increase. "
        "1,000-1,800 'moderately concentrated' as restated on the DOJ Antitrust Division's "
        "'Herfindahl-Hirschman Index' page (updated 17 Jan 2024), citing s.2.1. The label "
        "'unconcentrated' below 1,000 is this dashboard's; Guideline 1 defines no lower bands."
    ),
    "us2010": "U.S. DOJ & FTC, Horizontal Merger Guidelines (19 Aug 2010), s.5.3.",
    "eu2004": (
        "European Commission, Guidelines on the assessment of horizontal mergers, OJ C 31, "
        "5.2.2004, paras 19-20 (safe-harbour indicators, not presumptions; the Guidelines do "
        "not name the bands, the labels are this dashboard's)."
    ),
}

# Plain-language range of each band, used by verdict().
_BAND_RANGES: dict[str, list[str]] = {
    "us2023": ["HHI below 1,000", "HHI 1,000 to 1,800", "HHI above 1,800"],
    "us2010": ["HHI below 1,500", "HHI 1,500 to 2,500", "HHI above 2,500"],
    "eu2004": [
        "HHI below 1,000; horizontal concerns unlikely",
        "HHI 1,000 to 2,000; mergers adding under 250 points unlikely to raise concerns",
        "HHI above 2,000; mergers adding under 150 points unlikely to raise concerns",
    ],
}


def _guideline(guidelines: str) -> str:
    key = guidelines.lower().strip() if isinstance(guidelines, str) else guidelines
    if key not in BANDS:
        raise ValueError(f"unknown guidelines {guidelines!r}; use one of {', '.join(BANDS)}")
    return key


def _band_index(h: float, key: str) -> int:
    bands = BANDS[key]
    if h < bands[0].high:
        return 0
    for idx in range(1, len(bands) - 1):
        if h <= bands[idx].high:
            return idx
    return len(bands) - 1


def classify(hhi: float, guidelines: str = "us2023") -> str:
    """Concentration band label for a percent-scale HHI (0-10,000), e.g. "highly concentrated".

    Bands (``BANDS``; sources in ``BAND_SOURCES``):

    * us2023: < 1,000 unconcentrated; 1,000-1,800 moderately; > 1,800 highly concentrated
      (DOJ/FTC Merger Guidelines 2023, s.2.1; lower bands per the DOJ HHI page).
    * us2010: < 1,500 unconcentrated; 1,500-2,500 moderately; > 2,500 highly concentrated
      (DOJ/FTC Horizontal Merger Guidelines 2010, s.5.3).
    * eu2004: < 1,000 low; 1,000-2,000 moderate; > 2,000 high concentration
      (EC Horizontal Merger Guidelines, OJ C 31, 5.2.2004, paras 19-20).

    Edges belong to the middle band (1,800 is "moderately concentrated" under us2023,
    since the Guidelines say "greater than 1,800"). The HHI is rounded to 6 decimals
    before comparing. Raises ValueError for an unknown key or an HHI that is
    negative, non-finite or above 10,000.
    """
    key = _guideline(guidelines)
    h = _hhi_value(hhi)
    return BANDS[key][_band_index(h, key)].label


def verdict(hhi: float, guidelines: str = "us2023") -> str:
    """One plain-language sentence placing a percent-scale HHI in a guideline's bands.

    Example: verdict(3000) -> "Highly concentrated under the 2023 US Merger
    Guidelines (HHI above 1,800)". Bands, edges and references as in ``classify``
    (DOJ/FTC Merger Guidelines 2023, s.2.1; 2010 HMG s.5.3; EC HMG 2004, paras 19-20).
    """
    key = _guideline(guidelines)
    h = _hhi_value(hhi)
    idx = _band_index(h, key)
    label = BANDS[key][idx].label
    return f"{label[0].upper()}{label[1:]} under the {GUIDELINE_NAMES[key]} ({_BAND_RANGES[key][idx]})"


def merger_verdict(
    hhi_post: float,
    delta: float,
    guidelines: str = "us2023",
    *,
    combined_share_pct: float | None = None,
) -> str:
    """Short plain-language reading of a merger's post-merger HHI and change in HHI.

    Inputs: ``hhi_post`` on the 0-10,000 scale, ``delta`` in HHI points (2 * s1 * s2),
    optional ``combined_share_pct`` (merged firm's share, percent; us2023 only).

    * us2023 (DOJ/FTC Merger Guidelines 2023, Guideline 1 / s.2.1): presumed to
      substantially lessen competition if HHI_post > 1,800 and delta > 100; also if the
      merged firm's share is > 30% and delta > 100 (share presumption; docs/METHODOLOGY.md §1.2
      flags the final wording as unverified there: the thresholds follow the final
      Guidelines as summarised by Mondaq, Dec 2023). Otherwise no structural presumption.
    * us2010 (Horizontal Merger Guidelines 2010, s.5.3): delta < 100 or HHI_post < 1,500 ->
      unlikely to have adverse effects; 1,500-2,500 with delta > 100 -> potentially raises
      significant concerns; > 2,500 with delta 100-200 -> potentially raises significant
      concerns; > 2,500 with delta > 200 -> presumed likely to enhance market power.
    * eu2004 (EC Horizontal Merger Guidelines, OJ C 31, 5.2.2004, paras 19-20): concerns
      unlikely if HHI_post < 1,000, 1,000-2,000 with delta < 250, or > 2,000 with delta
      < 150 (safe-harbour indicators, not presumptions).

    Raises ValueError for an unknown key or invalid numbers.
    """
    key = _guideline(guidelines)
    h = _hhi_value(hhi_post, "hhi_post")
    d = _number(delta, "delta")
    if d < 0:
        raise ValueError(f"delta = {d!r} is negative; a merger cannot lower the HHI")
    d = round(d, _EDGE_DECIMALS)
    name = GUIDELINE_NAMES[key]
    facts = f"post-merger HHI {_fmt(h)}, change {_fmt(d)}"

    if key == "us2023":
        share = None
        if combined_share_pct is not None:
            share = _number(combined_share_pct, "combined_share_pct")
            if share < 0 or share > 100.0 + _SCALES["percent"][1]:
                raise ValueError(f"combined_share_pct = {share!r} is outside 0-100")
        reasons = []
        if h > 1_800 and d > 100:
            reasons.append("HHI above 1,800 and a change above 100")
        if share is not None and share > 30 and d > 100:
            reasons.append(f"merged firm's share {_fmt(share)}% is above 30% with a change above 100")
        if reasons:
            return f"Presumed to substantially lessen competition under the {name} ({facts}: {'; '.join(reasons)})."
        text = (
            f"No structural presumption under the {name} ({facts}; the presumption needs "
            "HHI above 1,800 and a change above 100)."
        )
        if share is None and d > 100:
            text += " The 30% merged-share presumption was not checked."
        return text

    if key == "us2010":
        if d < 100:
            return (
                f"Unlikely to have adverse competitive effects under the {name} ({facts}; change below 100)."
            )
        if h < 1_500:
            return (
                f"Unlikely to have adverse competitive effects under the {name} "
                f"({facts}; unconcentrated, HHI below 1,500)."
            )
        if h <= 2_500:
            if d > 100:
                return (
                    f"Potentially raises significant competitive concerns under the {name} "
                    f"({facts}; moderately concentrated with a change above 100)."
                )
            return f"Not flagged by the {name} ({facts}; moderately concentrated, change not above 100)."
        if d <= 200:
            return (
                f"Potentially raises significant competitive concerns under the {name} "
                f"({facts}; highly concentrated with a change of 100 to 200)."
            )
        return (
            f"Presumed likely to enhance market power under the {name} "
            f"({facts}; highly concentrated with a change above 200), rebuttable by persuasive evidence."
        )

    # eu2004
    if h < 1_000:
        return f"Horizontal concerns unlikely under the {name} ({facts}; HHI below 1,000)."
    if h <= 2_000 and d < 250:
        return (
            f"Horizontal concerns unlikely under the {name} ({facts}; HHI 1,000 to 2,000 with a "
            "change below 250), barring special circumstances."
        )
    if h > 2_000 and d < 150:
        return (
            f"Horizontal concerns unlikely under the {name} ({facts}; HHI above 2,000 with a "
            "change below 150), barring special circumstances."
        )
    return (
        f"Outside the safe-harbour indicators of the {name} ({facts}): the Commission may "
        "examine the merger more closely; this is not a presumption of harm."
    )


# --------------------------------------------------------------------------- #
# Other indices
# --------------------------------------------------------------------------- #
def cr(shares: Iterable[float], k: int = 4) -> float:
    """Concentration ratio CRk = sum of the k largest shares (all of them if fewer than k firms).

    Units: same as the input (percent shares give 0-100). Shares must be finite and
    non-negative; the sum is not checked, so any scale works. k must be an integer >= 1.

    Reference: docs/METHODOLOGY.md §1.3; CR4 is the conventional choice (e.g. U.S. Census
    Bureau, Economic Census concentration ratios).
    """
    s = _as_floats(shares, "shares")
    try:
        kk = operator.index(k)
    except TypeError:
        raise ValueError(f"k = {k!r} is not an integer") from None
    if kk < 1:
        raise ValueError(f"k = {kk} must be at least 1")
    return math.fsum(sorted(s, reverse=True)[:kk])


def equivalent_firms(hhi: float) -> float:
    """Numbers-equivalent of the HHI: the count of equal-sized firms giving the same HHI, 10,000 / HHI.

    Input on the percent scale (0-10,000); on the fraction scale use 1 / H.
    Example: 40/30/20/10 -> HHI 3,000 -> 3.33 equivalent firms. Raises ValueError for
    HHI <= 0 or non-finite.

    Reference: M.A. Adelman (1969), "Comment on the 'H' concentration measure as a
    numbers-equivalent", Review of Economics and Statistics 51(1); docs/METHODOLOGY.md §1.3.
    """
    h = _number(hhi, "hhi")
    if h <= 0:
        raise ValueError(f"hhi = {h!r} must be positive to give an equivalent number of firms")
    return _MAX_HHI / h


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative holdings: 0 = perfectly equal, (n-1)/n = one holder of n.

    With values sorted ascending x_(1) <= ... <= x_(n):

        G = 2 * sum_i i * x_(i) / (n * sum x) - (n + 1) / n
          = sum_i (2i - n - 1) * x_(i) / (n * sum x)

    (the second form is used; it is algebraically identical and exactly 0 for equal
    values). Dimensionless, in [0, (n-1)/n]. Example: gini([0, 0, 0, 1]) = 0.75.
    Raises ValueError for empty, negative, NaN/inf or all-zero input.

    Reference: docs/METHODOLOGY.md §1.3; it is the sorted-rank form of Gini's mean-difference
    definition G = sum_i sum_j |x_i - x_j| / (2 n**2 mean) (C. Gini, "Variabilita e
    mutabilita", 1912), without small-sample correction.
    """
    x = sorted(_as_floats(values, "values"))
    n = len(x)
    total = math.fsum(x)
    if total <= 0:
        raise ValueError("values are all zero; the Gini coefficient is undefined")
    g = math.fsum((2 * (i + 1) - n - 1) * v for i, v in enumerate(x)) / (n * total)
    return min(max(g, 0.0), 1.0)


def lorenz(values: Iterable[float]) -> tuple[list[float], list[float]]:
    """Lorenz curve points for non-negative holdings, values sorted ascending.

    x_i = i / n (cumulative population share) and y_i = sum_{j<=i} x_(j) / sum x
    (cumulative value share) for i = 0..n, so both lists have n + 1 points, start at
    0 and end at 1. Dimensionless. Raises ValueError for empty, negative, NaN/inf or
    all-zero input.

    Reference: M.O. Lorenz (1905), "Methods of measuring the concentration of wealth",
    Publications of the American Statistical Association 9(70); docs/METHODOLOGY.md §1.3.
    """
    v = sorted(_as_floats(values, "values"))
    n = len(v)
    total = math.fsum(v)
    if total <= 0:
        raise ValueError("values are all zero; the Lorenz curve is undefined")
    xs = [i / n for i in range(n + 1)]
    ys = [0.0]
    running: list[float] = []
    for val in v:
        running.append(val)
        ys.append(math.fsum(running) / total)
    xs[-1] = 1.0
    ys[-1] = 1.0
    return xs, ys


def nakamoto(values: Iterable[float], threshold: float = 0.5, *, strict: bool = True) -> int:
    """Nakamoto coefficient: the fewest entities whose combined share exceeds ``threshold``.

    N = min{k : (x_(1) + ... + x_(k)) / sum x > threshold}, holdings sorted largest first.
    Values need not be normalised (stake, GPUs, revenue). ``threshold`` is a fraction
    (0.5 = majority control; 1/3 for BFT liveness). With ``strict=False`` the test is
    ">=" instead of ">": 10 equal holders give 6 with ">50%" and 5 with ">=50%".
    Comparisons allow a 1e-12 relative tolerance for float noise.

    Raises ValueError for empty, negative, NaN/inf or all-zero input, a threshold
    outside [0, 1], or threshold 1 with strict=True (never exceeded).

    Reference: B.S. Srinivasan and L. Lee, "Quantifying Decentralization",
    news.earn.com, July 2017 (minimum Nakamoto coefficient); docs/METHODOLOGY.md §1.3.
    """
    v = sorted(_as_floats(values, "values"), reverse=True)
    t = _number(threshold, "threshold")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"threshold = {t!r} must be a fraction between 0 and 1")
    if strict and t >= 1.0:
        raise ValueError("threshold = 1 can never be strictly exceeded; use strict=False")
    total = math.fsum(v)
    if total <= 0:
        raise ValueError("values are all zero; the Nakamoto coefficient is undefined")
    target = t * total
    eps = _NAKAMOTO_EPS * total
    running = 0.0
    for count, val in enumerate(v, start=1):
        running += val
        if (running > target + eps) if strict else (running >= target - eps):
            return count
    return len(v)  # only reachable through float noise at threshold ~ 1


def shares_from_values(values: Iterable[float]) -> list[float]:
    """Percentage shares from raw capacity or revenue: s_i = 100 * x_i / sum x (sums to 100).

    Units: input in any unit (GPUs per host, stake, $); output in percent, in input
    order, ready for ``hhi``. Raises ValueError for empty, negative, NaN/inf or
    all-zero input.

    Reference: market share definition, DOJ/FTC Merger Guidelines 2023, s.4.4
    (market shares from revenue, units or capacity).
    """
    v = _as_floats(values, "values")
    total = math.fsum(v)
    if total <= 0:
        raise ValueError("values are all zero; shares are undefined")
    return [100.0 * x / total for x in v]


def entry_hhi(incumbent_shares_pct: Iterable[float], entrant_share_pct: float, n_entrants: int) -> float:
    """HHI after new (e.g. decentralised) supply wins ``entrant_share_pct`` % of the market.

    Assumptions: the entrants' combined share e is split evenly across n_entrants
    operators (e / n each), and every incumbent keeps its relative position, its share
    scaled by (1 - e/100). Hence

        HHI_entry = (1 - e/100)**2 * sum_i s_i**2 + n * (e / n)**2
                  = (1 - e/100)**2 * HHI_incumbents + e**2 / n.

    If the incumbent list is partial (sum below 100) the unlisted remainder is scaled
    too and, as in the lower bound of ``hhi_bounds``, contributes nothing. Even
    splitting gives the lowest HHI for the entrants' total share; uneven real-world
    splits give a higher HHI. Units: percent shares, HHI on the 0-10,000 scale.
    Entry lowers the HHI when e is spread thinly and raises it when one entrant takes
    a share large relative to the incumbents.

    Raises ValueError for invalid incumbent shares (as ``hhi``), e outside 0-100, or
    n_entrants < 1 (0 is allowed only when e = 0).

    Reference: HHI per DOJ/FTC Merger Guidelines 2023, s.2.1; the entry scenario is
    this dashboard's assumption, not a guideline formula.
    """
    s = _as_floats(incumbent_shares_pct, "incumbent_shares_pct")
    _check_sum(s, *_SCALES["percent"], "incumbent_shares_pct")
    e = _number(entrant_share_pct, "entrant_share_pct")
    if not 0.0 <= e <= 100.0:
        raise ValueError(f"entrant_share_pct = {e!r} must be between 0 and 100")
    try:
        n = operator.index(n_entrants)
    except TypeError:
        raise ValueError(f"n_entrants = {n_entrants!r} is not an integer") from None
    if n < 0 or (n == 0 and e > 0):
        raise ValueError(f"n_entrants = {n} must be at least 1 when entrants hold a share")
    keep = 1.0 - e / 100.0
    incumbents = math.fsum(x * x for x in s)
    entrants = e * e / n if n else 0.0
    return keep * keep * incumbents + entrants


def interval_verdict(low: float, high: float, guidelines: str = "us2023") -> str:
    """Plain-language reading of an HHI range under `guidelines` (BANDS).

    When both ends fall in one band this is verdict(); otherwise it names both
    bands and says the answer depends on how the unpublished residual is split.
    """
    if math.isclose(low, high, abs_tol=1e-9) or classify(low, guidelines) == classify(high, guidelines):
        text = verdict(low, guidelines)
        return text if math.isclose(low, high, abs_tol=1e-9) else f"{text}, whatever the unpublished split"
    a, b = classify(low, guidelines).rsplit(" ", 1), classify(high, guidelines).rsplit(" ", 1)
    first = a[0] if len(a) == len(b) == 2 and a[1] == b[1] else " ".join(a)
    return (f"Between {first} and {' '.join(b)} under the "
            f"{GUIDELINE_NAMES[guidelines]} (HHI {low:,.0f} to {high:,.0f}, depending on how the "
            "unpublished residual is split)")


def hhi_upper_capped(shares: list[float], cap: float) -> float:
    """HHI upper bound with the residual packed into firms no larger than `cap` (as hhi_bounds)."""
    low = math.fsum(s * s for s in shares)
    residual = max(100.0 - math.fsum(shares), 0.0)
    if residual <= 1e-12 or cap <= 0:
        return low
    k = math.floor(residual / cap)
    r = max(residual - k * cap, 0.0)
    return math.fsum([low, k * cap * cap, r * r])


# --------------------------------------------------------------------------- simulators
class MergerSimulation(NamedTuple):
    """A merger of two listed firms in a market whose HHI is known as the interval ``before``."""

    before: tuple[float, float]  # HHI range now (0-10,000)
    after: tuple[float, float]  # HHI range after the merger
    delta: float  # 2 * s_a * s_b, HHI points
    combined_share_pct: float  # the merged firm's share, percent


def simulate_merger(shares_pct: list[float], i: int, j: int, before: tuple[float, float], *,
                    bounded: bool) -> MergerSimulation:
    """The HHI before and after the listed firms at positions i and j merge (docs/METHODOLOGY.md §1.5).

    When the whole market is listed (``bounded`` False) the post-merger HHI is exact
    (``post_merger_hhi``); otherwise the unpublished rest is unchanged by the merger, so both
    ends of the interval move by the same ``delta_hhi``. Shares in percent.
    """
    delta = delta_hhi(shares_pct[i], shares_pct[j])
    low, high = float(before[0]), float(before[1])
    if not bounded:
        exact = post_merger_hhi(shares_pct, i, j)
        after = (exact, exact)
    else:
        after = (low + delta, high + delta)
    return MergerSimulation((low, high), after, delta, shares_pct[i] + shares_pct[j])


def entry_hhi_from_index(hhi_now: float, entrant_share_pct: float, n_entrants: int) -> float:
    """``entry_hhi`` when only the market's HHI is known (docs/METHODOLOGY.md §1.5).

    entry_hhi needs only the incumbents' sum of squares, and one pseudo-firm with share
    sqrt(HHI) has exactly that sum: HHI_entry = (1 - e/100)**2 * HHI + e**2 / n.
    """
    return entry_hhi([math.sqrt(min(hhi_now, _MAX_HHI))], entrant_share_pct, n_entrants)


class EntrySimulation(NamedTuple):
    """Entry of new supply into a market whose HHI is known as the interval ``now``."""

    now: tuple[float, float]
    after: tuple[float, float]  # HHI range with entry (low end from the low end now)
    change: float  # change of the interval's midpoint, HHI points
    equivalent_firms: tuple[float, float]  # 10,000 / HHI with entry, fewest first


def simulate_entry(now: tuple[float, float], entrant_share_pct: float, n_entrants: int) -> EntrySimulation:
    """Both ends of an HHI interval after entrants win ``entrant_share_pct`` % split evenly across
    ``n_entrants`` (``entry_hhi_from_index``); docs/METHODOLOGY.md §1.5."""
    low, high = float(now[0]), float(now[1])
    after = (entry_hhi_from_index(low, entrant_share_pct, n_entrants),
             entry_hhi_from_index(high, entrant_share_pct, n_entrants))
    change = (sum(after) - (low + high)) / 2
    return EntrySimulation((low, high), after, change, (equivalent_firms(after[1]), equivalent_firms(after[0])))


__all__ += ["EntrySimulation", "MergerSimulation", "entry_hhi_from_index", "simulate_entry", "simulate_merger"]


# --------------------------------------------------------------------------- #
# Declared markets: marketplaces per GPU model, owner intervals, basis breaks,
# residual caps from a published tail, the withhold rule and readings
# (docs/METHODOLOGY.md §1.6-§1.11)
# --------------------------------------------------------------------------- #
BASES = ("revenue", "capacity owned", "capacity listed", "capacity leased", "shipments", "usage")
MIN_COVERAGE_PCT = 50.0  # below this the shares describe a sample of the market, not the market
TAIL_MIN_EXTRA = 3  # a published "tail": the usual firms plus at least this many further firms
TAIL_MAX_DAYS = 400  # a tail is used as a cap within about four quarters of its own period


class MachineOffer(NamedTuple):
    """One marketplace offer as the per-machine count needs it (core.gpu_prices columns)."""

    day: object
    gpu_model: str
    machine_id: str
    host_id: str
    num_gpus: float | None
    gpu_frac: float | None
    capped: bool = False


def machine_gpus(offers: Iterable[tuple[float | None, float | None]]) -> int:
    """The GPUs of one machine from its offers (num_gpus, gpu_frac): an offer rents `gpu_frac` of the
    machine, so the machine has round(num_gpus / gpu_frac) GPUs; when no offer gives a fraction, the
    largest num_gpus among them (docs/METHODOLOGY.md §1.7). Offers of one machine normally agree; the
    largest count is kept if they do not. 0 when no offer has a positive count."""
    whole, largest = [], 0.0
    for num, frac in offers:
        if num is None or not math.isfinite(float(num)) or num <= 0:
            continue
        largest = max(largest, float(num))
        if frac is not None and math.isfinite(float(frac)) and 0 < frac <= 1:
            whole.append(round(float(num) / float(frac)))
    return int(max(whole)) if whole else int(round(largest))


@dataclass(frozen=True)
class HostCapacity:
    """Listed capacity of one GPU model on one day: GPUs per host, machines counted once."""

    day: object
    gpu_model: str | None  # None for the pooled all-models variant
    hosts: dict[str, int]
    machines: int
    capped: bool  # a query behind these offers hit its result cap: a sample, not the market
    models: tuple[str, ...] = ()


def host_capacity(offers: Iterable[MachineOffer]) -> list[HostCapacity]:
    """Per (day, GPU model): each host's GPUs = the sum of its machines' GPUs (machine_gpus), each
    machine counted once a day however many offers or snapshots list it; capped when any offer of
    that model that day came from a capped query (docs/METHODOLOGY.md §1.7)."""
    by_machine: dict[tuple, list[tuple]] = {}
    host_of: dict[tuple, str] = {}
    capped: dict[tuple, bool] = {}
    for o in offers:
        if o.machine_id is None or o.host_id is None or o.gpu_model is None:
            continue
        key = (o.day, o.gpu_model)
        by_machine.setdefault((*key, o.machine_id), []).append((o.num_gpus, o.gpu_frac))
        host_of[(*key, o.machine_id)] = str(o.host_id)
        capped[key] = capped.get(key, False) or bool(o.capped)
    cells: dict[tuple, dict[str, int]] = {}
    machines: dict[tuple, int] = {}
    for (day, model, machine), items in by_machine.items():
        gpus = machine_gpus(items)
        if gpus <= 0:
            continue
        host = host_of[(day, model, machine)]
        cell = cells.setdefault((day, model), {})
        cell[host] = cell.get(host, 0) + gpus
        machines[(day, model)] = machines.get((day, model), 0) + 1
    return [HostCapacity(day, model, dict(sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0]))),
                         machines[(day, model)], capped[(day, model)], (model,))
            for (day, model), hosts in sorted(cells.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))]


def pooled(capacities: Iterable[HostCapacity]) -> list[HostCapacity]:
    """The all-models variant: per day, each host's GPUs summed across GPU models. GPU models do not
    substitute (a V100 is no H200), so this is a labelled variant, never a market (§1.7)."""
    days: dict[object, list[HostCapacity]] = {}
    for cap in capacities:
        days.setdefault(cap.day, []).append(cap)
    out = []
    for day, caps in days.items():
        hosts: dict[str, int] = {}
        for cap in caps:
            for host, gpus in cap.hosts.items():
                hosts[host] = hosts.get(host, 0) + gpus
        out.append(HostCapacity(day, None, dict(sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0]))),
                                sum(c.machines for c in caps), any(c.capped for c in caps),
                                tuple(sorted(str(c.gpu_model) for c in caps))))
    return sorted(out, key=lambda c: str(c.day))


def undisclosed_interval(shares: dict[str, float], undisclosed: Iterable[str]) -> tuple[float, float, float]:
    """(low, high, undisclosed percent) of an owner HHI where some capacity has no named owner
    (docs/METHODOLOGY.md §1.8): high = each undisclosed group counted as one owner (lumped); low = the
    undisclosed capacity split among infinitely many small owners (fragmented), adding nothing."""
    hidden = set(undisclosed)
    named = [s for n, s in shares.items() if n not in hidden]
    low = math.fsum(s * s for s in named)
    high = low + math.fsum(s * s for n, s in shares.items() if n in hidden)
    return low, high, math.fsum(s for n, s in shares.items() if n in hidden)


def group_share_bounds(group_pct: float, n_members: int, others_pct: float = 0.0) -> tuple[float, float]:
    """HHI bounds when a source publishes only a group's combined share (docs/METHODOLOGY.md §1.8):
    a group of n firms holding at least g% gives at least n·(g/n)² = g²/n (equal members, everyone else
    fragmented); at most, one firm holds everything except another group's o%, itself one firm:
    (100 − o)² + o². Percent shares, 0-10,000 scale."""
    g, o = _number(group_pct, "group_pct"), _number(others_pct, "others_pct")
    n = operator.index(n_members)
    if n < 1 or not 0 <= g <= 100 or not 0 <= o <= 100 - g:
        raise ValueError(f"group share {g}% of {n} firms with others {o}% cannot describe a market")
    return g * g / n, (100 - o) ** 2 + o * o


def basis_series(bases: Iterable[str | None]) -> list[int]:
    """The series number of each period (in period order) of one market: a new series whenever the
    basis changes, and a basis seen before rejoins its own series (docs/METHODOLOGY.md §1.9). Shares
    on different bases (shipments, revenue) are different markets and are never joined into one line."""
    seen: dict[str, int] = {}
    return [seen.setdefault(str(b or "not stated"), len(seen)) for b in bases]


def is_tail(names: Iterable[str], usual: Iterable[str]) -> bool:
    """Whether a period's list is a published tail: every usual firm plus at least TAIL_MIN_EXTRA others,
    so its largest other firm is the next firm after the usual ones (docs/METHODOLOGY.md §1.10)."""
    names, usual = set(names), set(usual)
    return usual <= names and len(names - usual) >= TAIL_MIN_EXTRA


def tail_cap(listed: Iterable[str], tail: dict[str, float]) -> tuple[float, str] | None:
    """The cap on an unlisted firm's share from a published tail (docs/METHODOLOGY.md §1.10): the
    largest tail share among firms not listed now (firm, share), or, when the tail's firms are all
    listed, its smallest share (the tail stops there, so every firm beyond it is smaller). None when
    there is no tail."""
    if not tail:
        return None
    shown = set(listed)
    rest = {n: s for n, s in tail.items() if n not in shown}
    if rest:
        name = max(rest, key=lambda n: (rest[n], n))
        return rest[name], name
    name = min(tail, key=lambda n: (tail[n], n))
    return tail[name], name


def capped_interval(shares: Iterable[float], cap: float) -> tuple[float, float]:
    """(low, high) with every unlisted firm no larger than `cap` percent (§1.4 with the §1.10 cap)."""
    s = _as_floats(shares, "shares")
    low = math.fsum(x * x for x in s)
    return low, max(low, hhi_upper_capped(s, _number(cap, "cap")))


def withhold_reason(low: float, high: float, *, capped: bool = False, coverage_pct: float | None = None,
                    coverage_text: str | None = None, guidelines: str = "us2023") -> str | None:
    """Why a figure is withheld from headlines and verdicts, or None when it may be published
    (docs/METHODOLOGY.md §1.11): a capped sample; coverage below MIN_COVERAGE_PCT of the declared market
    (the interval is the sample's, not the market's); or bounds that span every band (no verdict)."""
    if capped:
        return "sample capped: the query returned as many offers as its result cap, so these are the cheapest offers, not the market"
    if coverage_pct is not None and coverage_pct < MIN_COVERAGE_PCT:
        return (f"coverage {coverage_text or f'{coverage_pct:.0f}%'} of the market: the shares describe "
                "a sample of it, not the market")
    key = _guideline(guidelines)
    bands = BANDS[key]
    if classify(low, key) == bands[0].label and classify(high, key) == bands[-1].label:
        return "the bounds span every band, so no verdict is possible"
    return None


def thresholds_crossed(low: float, high: float, guidelines: str = "us2023") -> list[float]:
    """The band edges an interval straddles (classify(low) and classify(high) differ across each)."""
    key = _guideline(guidelines)
    bands = BANDS[key]
    i, j = _band_index(_hhi_value(low), key), _band_index(_hhi_value(high), key)
    return [bands[k].low for k in range(i + 1, j + 1)]


def reading(low: float, high: float, guidelines: str = "us2023", *, low_assumption: str = "",
            high_assumption: str = "", withheld: str | None = None) -> str:
    """The sentence under a chart, derived from the interval (docs/METHODOLOGY.md §1.11): withheld and
    why; one band (exact, at a threshold, or whichever assumption holds); or the thresholds the
    interval straddles, naming the assumption behind each end."""
    key = _guideline(guidelines)
    name = GUIDELINE_NAMES[key]
    lo, hi = round(low), round(high)
    span = _fmt(lo) if lo == hi else f"{_fmt(lo)} to {_fmt(hi)}"
    if withheld:
        return f"Withheld: {withheld}. HHI {span} is shown for reference only."
    band_low, band_high = classify(low, key), classify(high, key)
    edges = {b.low for b in BANDS[key][1:]}
    at = sorted(e for e in edges if round(low, 6) == e or round(high, 6) == e)
    at_text = (f", at the {' and '.join(_fmt(e) for e in at)} threshold (the edge belongs to the "
               "middle band)") if at and band_low == band_high else ""
    if band_low == band_high:
        tail = "" if lo == hi else ", whichever assumption holds"
        return f"{band_low[0].upper()}{band_low[1:]} under the {name}: HHI {span}{at_text}{tail}."
    edges_crossed = thresholds_crossed(low, high, key)
    crossed = " and ".join(_fmt(t) for t in edges_crossed) + (" thresholds" if len(edges_crossed) > 1 else " threshold")
    why_low = f" if {low_assumption}" if low_assumption else ""
    why_high = f" if {high_assumption}" if high_assumption else ""
    return (f"The interval straddles the {name}' {crossed}: HHI {_fmt(lo)} ({band_low}){why_low}; "
            f"{_fmt(hi)} ({band_high}){why_high}.")


__all__ += ["BASES", "HostCapacity", "MachineOffer", "basis_series", "capped_interval", "group_share_bounds",
            "host_capacity", "is_tail", "machine_gpus", "pooled", "reading", "tail_cap", "thresholds_crossed",
            "undisclosed_interval", "withhold_reason"]
