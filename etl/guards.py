"""Plausibility guards the warehouse applies per table: value bounds by unit, duplicates, replace-load drops, truncated files."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.provenance import Payload

MAX_PRICE_USD_PER_GPU_HOUR = 200.0  # above this a "per GPU-hour" price is a unit error (DESIGN.md)

# Indicator units -> (lowest, highest) plausible value, inclusive. Units not listed must be
# non-negative (every quantity the sources publish today is a count, an amount or a rate) and below
# MAX_MAGNITUDE. Upper bounds are orders of magnitude above any real figure: they catch unit and
# sign errors (a quarter of 999,999,990 USD bn), not surprising news.
UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "%": (0.0, 100.0),
    "x per year": (0.0, 1_000.0),  # growth multipliers; the fastest published trend is 900x a year
    "USD per GPU-hour": (0.0, MAX_PRICE_USD_PER_GPU_HOUR),
    "USD bn": (0.0, 10_000.0),  # more than ten trillion dollars in one period is a unit error
    "GBP bn": (0.0, 10_000.0),
    "EUR bn": (0.0, 10_000.0),
    "USD million": (0.0, 10_000_000.0),
    "USD": (0.0, 1e13),
    "USD per million tokens": (0.0, 10_000.0),
    "USD per 1M tokens": (0.0, 10_000.0),
}
# Units whose values may be negative (changes); none of today's sources emits one.
SIGNED_UNITS: frozenset[str] = frozenset({"% change", "percentage points"})
MAX_MAGNITUDE = 1e30  # above any count in these tables (training compute peaks near 1e27 FLOP)

# A replace load may shrink a source's rows in a table by at most this share at once, and may not
# remove a whole entity (ENTITY_COLUMNS) the source had; beyond that it is refused as suspect.
MAX_REPLACE_DROP_SHARE = 0.25
ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "gpu_prices": ("provider",),
    "supply": ("network",),
    "market_shares": ("entity",),
    "indicators": ("indicator", "entity"),
    "gpu_specs": (),  # a hardware list: only the share rule applies
}


def _bounded(name: str, value: float | None, low: float, high: float) -> str | None:
    if value is None:
        return None
    if not low <= value <= high:
        return f"{name} {value:g} outside {low:g}..{high:g}"
    return None


def check_row(table: str, row: dict) -> str | None:
    """The reason a typed row is implausible, or None (the warehouse's own checks run first)."""
    if table == "indicators":
        unit = row.get("unit") or ""
        low, high = UNIT_BOUNDS.get(unit, (-MAX_MAGNITUDE if unit in SIGNED_UNITS else 0.0, MAX_MAGNITUDE))
        for column in ("value", "value_low", "value_high"):
            reason = _bounded(column, row.get(column), low, high)
            if reason:
                return f"{reason} {unit}".rstrip()
        if unit == "USD per GPU-hour" and row["value"] == 0:
            return "zero price USD per GPU-hour"
        return _ordered(row, "value_low", "value", "value_high")
    if table == "market_shares":
        value = row.get("value")
        if value is not None and not 0 <= value <= MAX_MAGNITUDE:
            return f"value {value:g} outside 0..{MAX_MAGNITUDE:g}"
        return _ordered(row, "share_low_pct", "share_pct", "share_high_pct")
    if table == "gpu_specs":
        for column in ("memory_gb", "fp16_dense_flops", "fp8_flops", "tdp_w", "release_price_usd"):
            reason = _bounded(column, row.get(column), 0.0, MAX_MAGNITUDE)
            if reason:
                return reason
    if table == "supply":
        for column in ("gpus_total", "gpus_in_use"):
            reason = _bounded(column, row.get(column), 0.0, 1e8)  # more GPUs than exist on Earth
            if reason:
                return reason
    return None


def suspect_rows(table: str, frame: pa.Table) -> pa.Array | pa.ChunkedArray | None:
    """A mask of the typed rows check_row might reject, for the big tables validated column by column:
    a superset (each flagged row is then judged by check_row itself). None: judge every row."""
    if table == "gpu_prices":  # check_row has no bounds of its own for prices (the warehouse's suffice)
        return pa.array(np.zeros(frame.num_rows, dtype=bool))
    if table == "supply":
        out = None
        for column in ("gpus_total", "gpus_in_use"):
            values = frame.column(column)
            outside = pc.or_(pc.less(values, 0.0), pc.greater(values, 1e8)).fill_null(False)  # as check_row
            out = outside if out is None else pc.or_(out, outside)
        return out
    return None


def _ordered(row: dict, low: str, mid: str, high: str) -> str | None:
    values = [(c, row.get(c)) for c in (low, mid, high) if row.get(c) is not None]
    for (a, x), (b, y) in zip(values, values[1:], strict=False):
        if x > y:
            return f"{a} {x:g} > {b} {y:g}"
    return None


def dedupe(rows: list[dict]) -> tuple[list[dict], int]:
    """Rows with exact repeats removed (first kept, order kept) and how many were dropped.

    The natural key of an observation in these tables is the whole observation: they carry no
    surrogate ids, and two rows that agree on every column (a record repeated in a payload, a page
    served twice) are one observation seen twice.
    """
    seen: set[tuple] = set()
    out = []
    for row in rows:
        key = tuple((k, _hashable(v)) for k, v in row.items())
        if key in seen:
            continue
        seen.add(key)
        out.append(row)
    return out, len(rows) - len(out)


def dedupe_frame(frame: pa.Table) -> tuple[pa.Table, int]:
    """dedupe() of a typed frame: exact repeats removed (first kept, order kept) and how many were dropped.

    Only rows whose every value repeats can be a repeat, so the candidates are narrowed one column at a
    time (the most varied first: an offer id leaves none at once) before whole rows are compared.
    """
    n = frame.num_rows
    if n < 2:
        return frame, 0
    sample = frame.slice(0, 1000)
    order = sorted(frame.column_names, key=lambda c: -pc.count_distinct(sample.column(c), mode="all").as_py())
    candidates = np.arange(n)
    for column in order:
        values = frame.column(column).take(candidates)
        counts = pc.value_counts(values)
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
        if len(repeated) == 0:
            return frame, 0
        if len(repeated) < len(counts):
            keep = pc.is_in(values, value_set=repeated, skip_nulls=False)
            candidates = candidates[np.asarray(keep, dtype=bool)]
    # Whole rows of the remaining candidates; -0.0 and 0.0 are one value, as in dedupe().
    keys = frame.take(candidates)
    keys = pa.table({c: pc.add(keys.column(c), 0.0) if pa.types.is_floating(keys.column(c).type) else keys.column(c)
                     for c in keys.column_names})
    keys = keys.append_column("_row", pa.array(candidates))
    first = keys.group_by(frame.column_names, use_threads=False).aggregate([("_row", "min")]).column("_row_min")
    dropped = np.setdiff1d(candidates, first.to_numpy())
    if not len(dropped):
        return frame, 0
    keep = np.ones(n, dtype=bool)
    keep[dropped] = False
    return frame.filter(pa.array(keep)), int(len(dropped))


def _hashable(value):
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def replace_refusal(table: str, previous_rows: int, previous_entities: Iterable[tuple], incoming_rows: int,
                    incoming_entities: Iterable[tuple], *,
                    max_drop_share: float = MAX_REPLACE_DROP_SHARE) -> str | None:
    """Why replacing a source's `previous_rows` rows of `table` by `incoming_rows` is refused, or None."""
    if previous_rows == 0:
        return None
    columns = ENTITY_COLUMNS[table]
    if columns:
        gone = sorted({tuple(e) for e in previous_entities} - {tuple(e) for e in incoming_entities}, key=repr)
        if gone:
            names = ", ".join("/".join(str(v) for v in e) for e in gone[:5])
            more = f" and {len(gone) - 5} more" if len(gone) > 5 else ""
            return (f"{table}: this load would remove every row of {len(gone)} {'/'.join(columns)} "
                    f"({names}{more}) that the warehouse has")
    dropped = previous_rows - incoming_rows
    if dropped > max_drop_share * previous_rows:
        return (f"{table}: this load would drop {dropped:,} of {previous_rows:,} rows "
                f"({dropped / previous_rows:.0%} > {max_drop_share:.0%})")
    return None


def truncated_csv(payload: Payload) -> str | None:
    """Why a CSV payload looks cut off (no final line break, or a last record shorter than the header)."""
    if not payload.name.lower().endswith(".csv") or not payload.body.strip():
        return None
    if not payload.body.endswith((b"\n", b"\r")):
        return f"{payload.name} is truncated: it does not end with a line break"
    try:
        records = list(csv.reader(io.StringIO(payload.body.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        return None  # not readable as CSV at all: the parser says so
    records = [r for r in records if r]
    if len(records) > 1 and len(records[-1]) < len(records[0]):
        return (f"{payload.name} is truncated: its last record has {len(records[-1])} of "
                f"{len(records[0])} fields")
    return None
