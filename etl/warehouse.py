"""The DuckDB warehouse: schema, validation, loading with its guards, marts, a run lock and atomic publishing."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import math
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import config, guards
from etl.marts import MARTS, Mart, named, state
from etl.provenance import CENTRALISED, DECENTRALISED, SEGMENTS, Source

SQL_DIR = Path(__file__).parent / "sql"
MAX_PRICE_USD_PER_GPU_HOUR = guards.MAX_PRICE_USD_PER_GPU_HOUR
PRICE_TYPES = ("on_demand", "spot", "reserved", "contract", "bid", "community", "secure")

# Column -> DuckDB type, per core table. Order is the table's column order.
_REF = {"ref_url": "VARCHAR", "ref_date": "VARCHAR", "confidence": "VARCHAR", "note": "VARCHAR"}
CORE: dict[str, dict[str, str]] = {
    "gpu_prices": {
        "observed_at": "TIMESTAMP", "source": "VARCHAR", "provider": "VARCHAR", "segment": "VARCHAR",
        "gpu_model": "VARCHAR", "gpu_model_raw": "VARCHAR", "gpu_count": "INTEGER",
        "price_usd_per_gpu_hour": "DOUBLE", "price_type": "VARCHAR", "region": "VARCHAR",
        "offer_id": "VARCHAR", "host_id": "VARCHAR", "machine_id": "VARCHAR", "geolocation": "VARCHAR",
        "rented": "BOOLEAN", "reliability": "DOUBLE",
        # price method inputs (docs/METHODOLOGY.md §3): a Vast listing's start (epoch seconds) and how
        # precise observed_at is (day | month | quarter | year; seed rows say, APIs leave it null = day)
        "start_date": "DOUBLE", "date_precision": "VARCHAR", **_REF,
        "gpu_frac": "DOUBLE", "query_capped": "BOOLEAN",  # marketplace offers: machine slice, capped query
    },
    "supply": {
        "observed_at": "TIMESTAMP", "source": "VARCHAR", "network": "VARCHAR", "segment": "VARCHAR",
        "gpu_model": "VARCHAR", "gpu_model_raw": "VARCHAR", "gpus_total": "DOUBLE",
        "gpus_in_use": "DOUBLE", "host_id": "VARCHAR", "region": "VARCHAR", **_REF,
    },
    "market_shares": {
        "period": "DATE", "period_label": "VARCHAR", "market": "VARCHAR", "entity": "VARCHAR",
        "share_pct": "DOUBLE", "share_low_pct": "DOUBLE", "share_high_pct": "DOUBLE",
        "basis": "VARCHAR", "value": "DOUBLE", "unit": "VARCHAR", "coverage": "VARCHAR",
        "source": "VARCHAR", **_REF,
    },
    "indicators": {
        "period": "DATE", "period_label": "VARCHAR", "indicator": "VARCHAR", "entity": "VARCHAR",
        "value": "DOUBLE", "value_low": "DOUBLE", "value_high": "DOUBLE", "unit": "VARCHAR",
        "source": "VARCHAR", **_REF,
    },
    "gpu_specs": {
        "gpu_model": "VARCHAR", "hardware_name": "VARCHAR", "vendor": "VARCHAR", "release_date": "DATE",
        "memory_gb": "DOUBLE", "fp16_dense_flops": "DOUBLE", "fp8_flops": "DOUBLE", "tdp_w": "DOUBLE",
        "release_price_usd": "DOUBLE", "source": "VARCHAR", **_REF,
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "gpu_prices": ("observed_at", "source", "provider", "segment", "gpu_model", "price_usd_per_gpu_hour",
                   "price_type"),
    "supply": ("observed_at", "source", "network", "segment"),
    "market_shares": ("period", "market", "entity", "share_pct", "basis", "source"),
    "indicators": ("period", "indicator", "entity", "value", "unit", "source"),
    "gpu_specs": ("gpu_model", "hardware_name", "source"),
}
# The time column that identifies a snapshot, for "append" sources.
SNAPSHOT_KEY = {"gpu_prices": "observed_at", "supply": "observed_at", "market_shares": "period",
                "indicators": "period", "gpu_specs": "gpu_model"}

META_DDL = """
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE TABLE IF NOT EXISTS meta.sources (
    name VARCHAR PRIMARY KEY, title VARCHAR, producer VARCHAR, url VARCHAR, url_download VARCHAR,
    licence VARCHAR, licence_url VARCHAR, citation VARCHAR, cadence_hours INTEGER, segment VARCHAR,
    tables VARCHAR, load VARCHAR, description VARCHAR, prices_persist BOOLEAN);
CREATE TABLE IF NOT EXISTS meta.runs (
    run_id VARCHAR, source VARCHAR, mode VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    status VARCHAR, rows_loaded INTEGER, rows_rejected INTEGER, payloads INTEGER,
    data_as_of TIMESTAMP, error VARCHAR);
CREATE TABLE IF NOT EXISTS meta.rejects (
    run_id VARCHAR, source VARCHAR, table_name VARCHAR, reason VARCHAR, record VARCHAR);
CREATE TABLE IF NOT EXISTS meta.payloads (
    run_id VARCHAR, source VARCHAR, name VARCHAR, url VARCHAR, fetched_at TIMESTAMP,
    sha256 VARCHAR, bytes BIGINT, path VARCHAR);
CREATE TABLE IF NOT EXISTS meta.snapshot (id VARCHAR, built_at TIMESTAMP);
"""

# Created with the schema as well as built with the marts: `run --due` and `status` read it first.
FRESHNESS_VIEW = named("freshness").sql_path.read_text(encoding="utf-8")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every schema and table if missing (idempotent)."""
    con.execute(META_DDL)
    con.execute("ALTER TABLE meta.sources ADD COLUMN IF NOT EXISTS prices_persist BOOLEAN")
    con.execute("ALTER TABLE meta.runs ADD COLUMN IF NOT EXISTS rows_duplicate INTEGER")
    for table, columns in CORE.items():
        cols = ", ".join(f"{c} {t}" for c, t in columns.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS core.{table} ({cols})")
        for column, ctype in columns.items():  # columns may grow: add what an older file lacks
            con.execute(f"ALTER TABLE core.{table} ADD COLUMN IF NOT EXISTS {column} {ctype}")
    # ref.segments comes from code (etl.provenance), not the seed, so every schema has it.
    con.execute("CREATE OR REPLACE TABLE ref.segments (segment VARCHAR PRIMARY KEY, block VARCHAR NOT NULL, "
                "label VARCHAR NOT NULL)")
    con.executemany("INSERT INTO ref.segments VALUES (?, ?, ?)", [list(r) for r in segment_rows()])
    con.execute(FRESHNESS_VIEW)


def register_sources(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> None:
    con.execute("DELETE FROM meta.sources")
    for s in sources:
        con.execute(
            "INSERT INTO meta.sources BY NAME SELECT ? AS name, ? AS title, ? AS producer, ? AS url, "
            "? AS url_download, ? AS licence, ? AS licence_url, ? AS citation, ? AS cadence_hours, "
            "? AS segment, ? AS tables, ? AS load, ? AS description, ? AS prices_persist",
            [s.name, s.title, s.producer, s.url_main, " ".join(s.url_download), s.license.name,
             s.license.url, s.citation, s.cadence_hours, s.segment, ",".join(s.tables), s.load,
             s.description, s.prices_persist],
        )


# What each segment is called on screen; which block it is in comes from etl.provenance.
SEGMENT_LABELS = {"hyperscaler": "Hyperscaler cloud", "neocloud": "GPU neocloud",
                  "marketplace": "GPU marketplace", "depin": "DePIN network"}


def segment_rows() -> list[tuple[str, str, str]]:
    """(segment, block, label) for every segment: the one segment -> block mapping the marts join."""
    blocks = {**{s: "centralised" for s in CENTRALISED}, **{s: "decentralised" for s in DECENTRALISED}}
    missing = set(SEGMENTS) - set(blocks) | set(SEGMENTS) - set(SEGMENT_LABELS)
    if missing:
        raise ValueError(f"segments without a block or a label: {sorted(missing)}")
    return [(s, blocks[s], SEGMENT_LABELS[s]) for s in SEGMENTS]


def load_reference(con: duckdb.DuckDBPyConnection, seed_dir: Path) -> None:
    """ref.gpu_models, ref.providers, ref.regions and ref.gpu_compute, straight from the seed CSVs."""
    for name in ("gpu_models", "providers", "regions", "gpu_compute"):
        path = seed_dir / f"{name}.csv"
        con.execute(
            f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM read_csv(?, header=true, all_varchar=true)",
            [str(path)],
        )


# --------------------------------------------------------------------------- validation

# How a column is held between validation and staging: a core table's types, INTEGER as int64 so a
# value that does not fit 32 bits fails the staging cast as it always has.
ARROW_TYPES = {"TIMESTAMP": pa.timestamp("us"), "DATE": pa.date32(), "DOUBLE": pa.float64(),
               "INTEGER": pa.int64(), "BOOLEAN": pa.bool_(), "VARCHAR": pa.string()}
# The Python types that _coerce keeps as they are (but for "", NaN and infinities): a column holding
# only these (and None) is converted whole; any other value sends its column through _coerce cell by cell.
_PLAIN_TYPES = {"VARCHAR": {str}, "DOUBLE": {float, int}, "INTEGER": {int}, "BOOLEAN": {bool},
                "DATE": {date}, "TIMESTAMP": {datetime}}
_NONE = type(None)


_SCHEMAS = {table: pa.schema([(c, ARROW_TYPES[t]) for c, t in columns.items()]) for table, columns in CORE.items()}
_EMPTY = {table: schema.empty_table() for table, schema in _SCHEMAS.items()}  # Arrow tables are immutable


def arrow_schema(table: str) -> pa.Schema:
    return _SCHEMAS[table]


class TableRows(Mapping):
    """table -> typed rows as dicts (column order of CORE), made from the validated frames on first use.

    `frames` holds the same rows column by column; the loading path reads those, never the dicts, so
    the dicts are a read-only view (changing them changes nothing that is loaded).
    """

    def __init__(self, frames: dict[str, pa.Table]):
        self.frames = frames
        self._rows: dict[str, list[dict]] = {}

    def __getitem__(self, table: str) -> list[dict]:
        if table not in self._rows:
            self._rows[table] = self.frames[table].to_pylist()
        return self._rows[table]

    def __iter__(self):
        return iter(self.frames)

    def __len__(self) -> int:
        return len(self.frames)


@dataclass
class Validated:
    """One snapshot's validated rows: per table a typed Arrow frame, the rejects and the repeats dropped."""

    frames: dict[str, pa.Table] = field(default_factory=lambda: dict(_EMPTY))
    rejects: list[tuple[str, str, dict]] = field(default_factory=list)  # (table, reason, record)
    duplicates: int = 0  # rows dropped as exact repeats within the snapshot (guards.dedupe_frame)

    @property
    def rows(self) -> TableRows:
        """The good rows as typed dicts per table (for tests and small callers; made on first use)."""
        rows = self.__dict__.get("_rows")
        if rows is None or rows.frames is not self.frames:
            rows = self.__dict__["_rows"] = TableRows(self.frames)
        return rows

    def count(self, table: str) -> int:
        return self.frames[table].num_rows

    @property
    def n_rows(self) -> int:
        return sum(f.num_rows for f in self.frames.values())


class SchemaDrift(ValueError):
    """A parser produced a row that does not fit the table at all: the source's run fails."""


def _to_ts(value) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _to_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _coerce(ctype: str, value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if ctype == "TIMESTAMP":
        return _to_ts(value)
    if ctype == "DATE":
        return _to_date(value)
    if ctype == "DOUBLE":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {value!r}")
        return number
    if ctype == "INTEGER":
        return int(value)
    if ctype == "BOOLEAN":
        return bool(value)
    return str(value)


def _check(table: str, row: dict) -> str | None:
    """The reason a well-typed row is still wrong, or None. _suspects must flag every row this rejects."""
    for column in REQUIRED[table]:
        if row.get(column) is None:
            if column == "segment" and row.get("provider"):
                return f"missing segment: provider {row['provider']!r} is not in data/seed/providers.csv"
            return f"missing {column}"
    if table == "gpu_prices":
        price = row["price_usd_per_gpu_hour"]
        if price <= 0:
            return f"non-positive price {price}"
        if price > MAX_PRICE_USD_PER_GPU_HOUR:
            return f"absurd price {price} USD per GPU-hour (> {MAX_PRICE_USD_PER_GPU_HOUR:g})"
        if row["price_type"] not in PRICE_TYPES:
            return f"unknown price_type {row['price_type']!r}"
        if row.get("gpu_count") is not None and row["gpu_count"] < 1:
            return f"gpu_count {row['gpu_count']} < 1"
    if table in ("gpu_prices", "supply") and row["segment"] not in SEGMENTS:
        return f"unknown segment {row['segment']!r} (provider not in data/seed/providers.csv?)"
    if table == "supply":
        total, used = row.get("gpus_total"), row.get("gpus_in_use")
        if total is not None and total < 0 or used is not None and used < 0:
            return "negative GPU count"
        if total is not None and used is not None and used > total:
            return f"gpus_in_use {used} > gpus_total {total}"
    if table == "market_shares":
        for column in ("share_pct", "share_low_pct", "share_high_pct"):
            value = row.get(column)
            if value is not None and not 0 <= value <= 100:
                return f"{column} {value} outside 0-100"
    return guards.check_row(table, row)  # unit-aware bounds (etl/guards.py)


def _verdict(table: str, record: dict) -> str | None:
    """One record's reject reason (bad value, then _check), or None: the definition every row is held to."""
    try:
        typed = {c: _coerce(t, record.get(c)) for c, t in CORE[table].items()}
    except (TypeError, ValueError) as exc:
        return f"bad value: {exc}"
    return _check(table, typed)


def _suspects(table: str, frame: pa.Table) -> pa.ChunkedArray | None:
    """A mask of the rows _check might reject (a superset: each is then judged by _verdict), or None
    for a table without one (every row is judged: the small reference tables)."""
    if table not in ("gpu_prices", "supply"):
        return None
    col = frame.column
    masks = [pc.is_null(col(c)) for c in REQUIRED[table]]
    masks.append(pc.invert(pc.is_in(col("segment"), value_set=pa.array(SEGMENTS))))
    if table == "gpu_prices":
        price = col("price_usd_per_gpu_hour")
        masks += [pc.less_equal(price, 0), pc.greater(price, MAX_PRICE_USD_PER_GPU_HOUR),
                  pc.invert(pc.is_in(col("price_type"), value_set=pa.array(PRICE_TYPES))),
                  pc.less(col("gpu_count"), 1)]
    else:
        total, used = col("gpus_total"), col("gpus_in_use")
        masks += [pc.less(total, 0), pc.less(used, 0), pc.greater(used, total)]
    extra = guards.suspect_rows(table, frame)
    if extra is None:
        return None
    masks.append(extra)
    out = masks[0].fill_null(True)
    for mask in masks[1:]:
        out = pc.or_(out, mask.fill_null(False))
    return out


def _plain_column(ctype: str, values: list) -> tuple[pa.Array, list[int]] | None:
    """A column of plain values converted whole, as _coerce would cell by cell, with the positions
    whose value _coerce refuses (infinities); None when the column needs _coerce."""
    kinds = set(map(type, values))
    kinds.discard(_NONE)
    if not kinds <= _PLAIN_TYPES[ctype]:
        return None
    try:
        if ctype == "TIMESTAMP":  # few distinct times (one a snapshot): convert each once, then index them
            distinct = {v: i for i, v in enumerate(dict.fromkeys(values))}
            times = pa.array([None if v is None else _to_ts(v) for v in distinct], ARROW_TYPES[ctype])
            arr = times.take(pa.array(list(map(distinct.__getitem__, values)), pa.int64()))
        else:
            arr = pa.array(values, ARROW_TYPES[ctype])
    except (pa.ArrowException, OverflowError, TypeError):
        return None  # an integer beyond int64 or not exact as a double: _coerce decides
    bad: list[int] = []
    if ctype == "VARCHAR":
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    elif ctype == "DOUBLE":
        arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, pa.float64()), arr)
        inf = pc.is_inf(arr).fill_null(False)
        if pc.any(inf).as_py():
            bad = pc.indices_nonzero(inf).to_pylist()
    return arr, bad


def _coerced_column(ctype: str, values: Sequence | int) -> tuple[pa.Array, list[int]]:
    """(typed column, positions whose value _coerce refuses: null in the column); an int: that many nulls."""
    if isinstance(values, int):
        return pa.nulls(values, ARROW_TYPES[ctype]), []
    plain = _plain_column(ctype, values)
    if plain is not None:
        return plain
    out, bad = [], []
    for i, value in enumerate(values):
        try:
            out.append(_coerce(ctype, value))
        except Exception:  # noqa: BLE001 -- _verdict re-runs the row and says (or raises) what it did
            out.append(None)
            bad.append(i)
    return pa.array(out, ARROW_TYPES[ctype]), bad


def _record(source: str, table: str, raw: dict, default_segment: str | None) -> dict:
    """A parsed row as validation sees it: without `table`, with the source and default segment filled in."""
    record = {k: v for k, v in raw.items() if k != "table"}
    record.setdefault("source", source)
    if table in ("gpu_prices", "supply") and record.get("segment") is None and default_segment:
        record["segment"] = default_segment
    return record


class _Rows(Sequence):
    """The rows of a part as dicts, made from its columns when asked (only rejects and flagged rows are)."""

    def __init__(self, columns: dict[str, Sequence], n: int):
        self.columns, self.n = columns, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        return {k: v[i] for k, v in self.columns.items()}


def _row_groups(rows: list[dict], offset: int, groups: dict) -> None:
    """Parsed row dicts (input positions from `offset`) into `groups` by key sequence: a parser makes
    one or two a table, and the rows of a group are read column by column in one pass."""
    keys = list(map(tuple, rows))
    distinct = dict.fromkeys(keys)
    if len(distinct) == 1:  # the usual case: one parser, one table
        pieces = [(keys[0], rows, range(offset, offset + len(rows)))]
    else:
        code = {k: i for i, k in enumerate(distinct)}
        codes = np.fromiter(map(code.__getitem__, keys), dtype=np.int64, count=len(keys))
        pieces = []
        for key, i in code.items():
            positions = np.flatnonzero(codes == i)
            pieces.append((key, list(map(rows.__getitem__, positions.tolist())), (positions + offset).tolist()))
    for key, members, positions in pieces:
        # Every row of the group has these keys in this order, so its values line up column by column.
        columns = dict(zip(key, zip(*map(dict.values, members), strict=True), strict=True))
        groups.setdefault(key, []).append((columns, positions))


def _by_keys(rows) -> dict[tuple, tuple[dict[str, Sequence], Sequence[int]]]:
    """The input grouped by key sequence: per group its columns and each row's input position.

    `rows` holds parsed row dicts, or (table, {column: values}) pairs from a parser's parse_columns,
    each standing for the rows {"table": table, column: values[i], ...} in that order (a pair's
    columns are read as they are: no dict per row is made)."""
    rows = rows if isinstance(rows, list) else list(rows)
    groups: dict[tuple, list] = {}
    if not any(type(r) is tuple for r in rows):
        if rows:
            _row_groups(rows, 0, groups)
    else:
        pending: list[dict] = []  # row dicts not yet grouped, the first at input position `pending_at`
        pending_at = position = 0
        for item in rows:
            if type(item) is not tuple:
                if not pending:
                    pending_at = position
                pending.append(item)
                position += 1
                continue
            if pending:
                _row_groups(pending, pending_at, groups)
                pending = []
            table, columns = item
            n = len(next(iter(columns.values()), ()))
            if any(len(v) != n for v in columns.values()):
                raise ValueError(f"columns of {table!r} differ in length")
            if n:
                groups.setdefault(("table", *columns), []).append(
                    ({"table": [table] * n, **columns}, range(position, position + n)))
            position += n
        if pending:
            _row_groups(pending, pending_at, groups)
    out = {}
    for key, pieces in groups.items():
        if len(pieces) == 1:
            out[key] = pieces[0]
            continue
        positions, columns = [], {k: [] for k in key}
        for piece_columns, piece_positions in pieces:  # extend: C loops, the pieces can be big
            positions += piece_positions
            for k, values in columns.items():
                values += piece_columns[k]
        # Each piece's positions ascend; row dicts and pairs interleaved put a piece after a later one.
        if any(a[1][-1] > b[1][0] for a, b in zip(pieces, pieces[1:], strict=False)):
            order = np.argsort(positions, kind="stable").tolist()
            positions = [positions[i] for i in order]
            columns = {k: [v[i] for i in order] for k, v in columns.items()}
        out[key] = (columns, positions)
    return out


@dataclass
class _Part:
    """Rows of one table sharing a key sequence, as columns."""

    table: str
    columns: dict[str, Sequence]
    raws: Sequence[dict]
    positions: Sequence[int]


def _parts(source: str, rows) -> list[_Part]:
    """The input split into parts, in input order of their first row; the first row (in input order)
    naming an unknown table or column raises SchemaDrift, as a row-by-row check would."""
    parts, drift = [], []
    for keys, (columns, positions) in _by_keys(rows).items():
        if not keys:
            drift.append((positions[0], f"{source}: row for unknown table None"))
            continue
        n = len(positions)
        tables = columns.get("table", [None] * n)
        distinct = set(tables)
        for table in distinct:
            if len(distinct) == 1:
                part = _Part(table, columns, _Rows(columns, n), positions)
            else:  # one key sequence shared by rows of several tables
                idx = [i for i, t in enumerate(tables) if t == table]
                sub = {k: [v[i] for i in idx] for k, v in columns.items()}
                part = _Part(table, sub, _Rows(sub, len(idx)), [positions[i] for i in idx])
            if table not in CORE:
                drift.append((part.positions[0], f"{source}: row for unknown table {table!r}"))
                continue
            extra = set(keys) - set(CORE[table]) - {"table"}
            if extra:
                drift.append((part.positions[0], f"{source}: {table} row has unknown columns {sorted(extra)}"))
                continue
            parts.append(part)
    if drift:
        raise SchemaDrift(min(drift)[1])
    return parts


def _column_values(source: str, part: _Part, column: str, default_segment: str | None) -> Sequence | int:
    """A column of a part as validation reads it: the source and the default segment filled in; for
    a column the rows lack, its length (all null)."""
    n = len(part.raws)
    values = part.columns.get(column)
    if column == "source":
        return [source] * n if values is None else values
    if column == "segment" and default_segment and part.table in ("gpu_prices", "supply"):
        if values is None:
            return [default_segment] * n
        return [default_segment if v is None else v for v in values] if None in values else values
    return n if values is None else values


def _validate_part(source: str, part: _Part, default_segment: str | None
                   ) -> tuple[pa.Table, np.ndarray, list[tuple[int, str]]]:
    """The good rows of a part as a typed frame, their input positions, and (index in the part,
    reason) of each reject.

    Columns are converted whole; only the rows a column could not convert and the rows the masks of
    _suspects flag are judged one by one by _verdict, so each reason is the one-row rule's own."""
    table, n = part.table, len(part.raws)
    arrays, judged = [], set()
    for column, ctype in CORE[table].items():
        arr, bad = _coerced_column(ctype, _column_values(source, part, column, default_segment))
        arrays.append(arr)
        judged.update(bad)
    frame = pa.Table.from_arrays(arrays, schema=arrow_schema(table))
    suspect = _suspects(table, frame)
    if suspect is None:
        judged = range(n)
    else:
        judged.update(pc.indices_nonzero(suspect).to_pylist())
        judged = sorted(judged)
    rejects = []
    for i in judged:
        reason = _verdict(table, _record(source, table, part.raws[i], default_segment))
        if reason:
            rejects.append((i, reason))
    positions = np.asarray(part.positions)
    if rejects:
        keep = np.ones(n, dtype=bool)
        keep[[i for i, _ in rejects]] = False
        frame, positions = frame.filter(pa.array(keep)), positions[keep]
    return frame, positions, rejects


def validate(source: str, rows, *, default_segment: str | None = None) -> Validated:
    """Split parsed rows into typed good rows per table and rejects with reasons.

    A row naming an unknown table or column is schema drift in the parser: raise, so the whole
    source fails and loads nothing. A row with a bad value is rejected with its reason (_verdict).
    Exact repeats of a row (a record repeated in a payload, a page served twice) are kept once and
    counted. Rows keep their order; rejects come in the order of the rows.
    """
    out = Validated()
    rejects: list[tuple[int, str, str, dict]] = []
    good: dict[str, list[tuple[pa.Table, np.ndarray]]] = {}
    for part in _parts(source, rows):
        frame, positions, part_rejects = _validate_part(source, part, default_segment)
        good.setdefault(part.table, []).append((frame, positions))
        rejects += [(part.positions[i], part.table, reason, _record(source, part.table, part.raws[i], default_segment))
                    for i, reason in part_rejects]
    for table, pieces in good.items():
        if len(pieces) == 1:
            frame = pieces[0][0]
        else:  # rows of the table came with different key sequences: back into input order
            frame = pa.concat_tables([f for f, _ in pieces])
            frame = frame.take(np.argsort(np.concatenate([p for _, p in pieces]), kind="stable"))
        out.frames[table], dropped = guards.dedupe_frame(frame)
        out.duplicates += dropped
    out.rejects = [(table, reason, record) for _, table, reason, record in sorted(rejects, key=lambda r: r[0])]
    return out


# --------------------------------------------------------------------------- loading

@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame):
    """`frame` (Arrow or pandas) readable as the view `name` for the block: read in place, no per-value
    conversion. DuckDB 2 refuses to register while the connection holds a result not read to its end
    (a caller's `execute(...).fetchone()`), where `execute` would just drop it: run that result out first."""
    finish = getattr(con, "complete", None)  # DuckDB >= 2.0
    if finish is not None:
        finish()
    con.register(name, frame)
    try:
        yield
    finally:
        con.unregister(name)


def load(con: duckdb.DuckDBPyConnection, source: Source, data: Validated) -> int:
    """Write one snapshot's validated rows into core.* by the source's load semantics (apply_staged's);
    returns rows written. The pipeline stages several snapshots at once; this is the one-snapshot case.

    One snapshot needs no staging: its rows are all the latest of their snapshot key, so each table is
    one DELETE and one INSERT straight from its Arrow frame. The only staging cast that can fail is an
    INTEGER beyond 32 bits; a snapshot holding one is staged, so it fails there, before any row is
    deleted, as it always has.
    """
    if not all(_casts_fit(table, frame) for table, frame in data.frames.items()):
        return apply_staged(con, source, stage(con, [data]))
    written = 0
    for table, frame in data.frames.items():
        if not frame.num_rows:
            continue
        with registered(con, "incoming", frame):
            if source.load == "replace":
                con.execute(f"DELETE FROM core.{table} WHERE source = ?", [source.name])
            else:
                key = SNAPSHOT_KEY[table]
                con.execute(f"DELETE FROM core.{table} WHERE source = ? AND {key} IN "
                            f"(SELECT DISTINCT CAST({key} AS {CORE[table][key]}) FROM incoming)", [source.name])
            written += con.execute(f"INSERT INTO core.{table} ({', '.join(CORE[table])}) "
                                   f"SELECT {_casts(table)} FROM incoming").fetchall()[0][0]
    return written


_INT32 = (-(2**31), 2**31 - 1)


def _casts_fit(table: str, frame: pa.Table) -> bool:
    """Whether every value of `frame` survives the casts to its core table's types (ARROW_TYPES holds
    every column in its type but INTEGER, held as int64)."""
    for column, ctype in CORE[table].items():
        if ctype == "INTEGER" and frame.num_rows:
            low, high = pc.min_max(frame.column(column)).values()
            if low.is_valid and (low.as_py() < _INT32[0] or high.as_py() > _INT32[1]):
                return False
    return True


# --------------------------------------------------------------------------- staged loading

STAGED = "staged_"  # temp tables holding one source's incoming rows, with `_ord` = snapshot order


def _casts(table: str) -> str:
    return ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in CORE[table].items())


def stage(con: duckdb.DuckDBPyConnection, parts: list) -> dict[str, int]:
    """Put a source's incoming snapshots (in load order) into temp tables staged_<table>.

    Each part is a `warehouse.Validated` (frames in memory) or anything with `.tables` (table -> rows)
    and `.parquet(table)` (a parse cache entry, etl/parsecache.py); the cached ones load in one
    statement per table, however many there are. Returns rows staged per table; only the tables with
    rows are (re)made, so a staged_<table> of a table staged 0 rows is not to be read.
    """
    made: set[str] = set()

    def make(table: str) -> None:
        if table not in made:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGED}{table} AS SELECT {_casts(table)}, 0 AS _ord "
                        f"FROM core.{table} WHERE false")
            made.add(table)

    files: dict[str, list[tuple[int, str]]] = {t: [] for t in CORE}
    for ordinal, part in enumerate(parts):
        if isinstance(part, Validated):
            for table, frame in part.frames.items():
                if frame.num_rows:
                    make(table)
                    with registered(con, "incoming", frame):
                        con.execute(f"INSERT INTO {STAGED}{table} SELECT {_casts(table)}, {ordinal} FROM incoming")
        else:
            for table, n in part.tables.items():
                if n:
                    files[table].append((ordinal, str(part.parquet(table))))
    for table, listed in files.items():
        if not listed:
            continue
        make(table)
        con.execute("CREATE OR REPLACE TEMP TABLE _files (filename VARCHAR, _ord INTEGER)")
        con.executemany("INSERT INTO _files VALUES (?, ?)", [[f, o] for o, f in listed])
        cols = ", ".join(f"p.{c}" for c in CORE[table])
        con.execute(f"INSERT INTO {STAGED}{table} SELECT {cols}, f._ord FROM read_parquet(?, filename=true) p "
                    "JOIN _files f USING (filename)", [[f for _, f in listed]])
    return {t: con.execute(f"SELECT count(*) FROM {STAGED}{t}").fetchone()[0] if t in made else 0 for t in CORE}


class ReplaceRefused(ValueError):
    """A replace load that would drop too much of what the warehouse has (guards.replace_refusal)."""


def check_replace(con: duckdb.DuckDBPyConnection, source: Source, staged: dict[str, int], baseline: str = "core",
                  *, max_drop_share: float = guards.MAX_REPLACE_DROP_SHARE) -> None:
    """Refuse (ReplaceRefused) a replace load that would drop more than `max_drop_share` of the rows
    or a whole entity the source has in `baseline` (the build itself, or the published warehouse
    when a rebuild starts from nothing)."""
    if source.load != "replace":
        return
    reasons = []
    for table, n in staged.items():
        if not n:
            continue
        previous = con.execute(f"SELECT count(*) FROM {baseline}.{table} WHERE source = ?", [source.name]).fetchone()[0]
        columns = guards.ENTITY_COLUMNS[table]
        entities = incoming_entities = []
        if columns and previous:
            cols = ", ".join(columns)
            entities = con.execute(f"SELECT DISTINCT {cols} FROM {baseline}.{table} WHERE source = ?",
                                   [source.name]).fetchall()
            incoming_entities = con.execute(f"SELECT DISTINCT {cols} FROM {STAGED}{table}").fetchall()
        reason = guards.replace_refusal(table, previous, entities, n, incoming_entities,
                                        max_drop_share=max_drop_share)
        if reason:
            reasons.append(reason)
    if reasons:
        raise ReplaceRefused("; ".join(reasons) + f". If this is right, run `python -m etl run {source.name} "
                             "--accept-drops`")


def apply_staged(con: duckdb.DuckDBPyConnection, source: Source, staged: dict[str, int]) -> int:
    """Write the staged rows into core.* by the source's load semantics; returns rows written.

    replace: the source's previous rows in each table it produced are deleted first.
    append: rows of a snapshot key (observed_at / period) present in the incoming snapshots replace
    the earlier ones, and among the incoming the latest snapshot with that key wins, exactly as
    loading the snapshots one after the other would; loading the same payload twice changes nothing.
    """
    written = 0
    for table, n in staged.items():
        if not n:
            continue
        cols = ", ".join(CORE[table])
        if source.load == "replace":
            con.execute(f"DELETE FROM core.{table} WHERE source = ?", [source.name])
            con.execute(f"INSERT INTO core.{table} ({cols}) SELECT {cols} FROM {STAGED}{table}")
            written += n
            continue
        key = SNAPSHOT_KEY[table]
        latest = f"SELECT {cols} FROM {STAGED}{table} QUALIFY _ord = max(_ord) OVER (PARTITION BY {key})"
        con.execute(f"DELETE FROM core.{table} WHERE source = ? AND {key} IN "
                    f"(SELECT DISTINCT {key} FROM {STAGED}{table})", [source.name])
        written += con.execute(f"INSERT INTO core.{table} ({cols}) {latest}").fetchone()[0]  # rows inserted
    return written


def carry_over(con: duckdb.DuckDBPyConnection, source: str, schema: str) -> int:
    """Copy a source's rows and run history from an attached warehouse `schema` (the published one)
    into a build that started from nothing: a source that fails keeps its last good rows."""
    kept = 0
    known = con.execute(f"SELECT count(*) FROM {schema}.meta.runs WHERE source = ?", [source]).fetchone()[0]
    if not known:
        return 0  # never ran in the published warehouse: nothing to keep
    for table in CORE:
        cols = ", ".join(CORE[table])
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? AND table_schema = 'core' "
            "AND table_name = ?", [schema, table]).fetchall()}
        if not have:
            continue
        select = ", ".join(c if c in have else f"NULL AS {c}" for c in CORE[table])
        con.execute(f"INSERT INTO core.{table} ({cols}) SELECT {select} FROM {schema}.core.{table} WHERE source = ?",
                    [source])
        kept += con.execute(f"SELECT count(*) FROM core.{table} WHERE source = ?", [source]).fetchone()[0]
    for table in ("runs", "payloads", "rejects"):
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? AND table_schema = 'meta' "
            "AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()]
        if cols:
            names = ", ".join(cols)
            con.execute(f"INSERT INTO meta.{table} ({names}) SELECT {names} FROM {schema}.meta.{table} "
                        "WHERE source = ?", [source])
    return kept


def attach_published(con: duckdb.DuckDBPyConnection, db_path: str, alias: str = "published") -> str | None:
    """Attach the published warehouse read-only as `alias` when it is readable; the alias or None."""
    if not Path(db_path).exists() or check_readable(db_path):
        return None
    try:
        con.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(db_path)])
    except duckdb.Error:
        return None
    return alias


def record_rejects(con, run_id: str, source: str, rejects) -> None:
    """Keep the rejects of each source's latest run only (older ones are superseded)."""
    con.execute("DELETE FROM meta.rejects WHERE source = ?", [source])
    if rejects:
        con.executemany(
            "INSERT INTO meta.rejects VALUES (?, ?, ?, ?, ?)",
            [[run_id, source, t, reason, json.dumps(rec, default=str, sort_keys=True)]
             for t, reason, rec in rejects],
        )


def record_payloads(con, run_id: str, source: str, payloads: list) -> None:
    """One meta.payloads row per payload a run loaded: where it came from, when, its sha256 and size.

    A payload is a Payload, or an archive manifest entry (etl.archive.Entry) for snapshots loaded
    from the parse cache without reading their bodies again.
    """
    if not payloads:
        return
    frame = pd.DataFrame(  # one insert of a frame: executemany is slow for thousands of payloads
        [[run_id, source, p.name, p.url, p.fetched_at.replace(tzinfo=None), p.sha256,
          p.bytes if isinstance(getattr(p, "bytes", None), int) else len(p.body)] for p in payloads],
        columns=["run_id", "source", "name", "url", "fetched_at", "sha256", "bytes"])
    with registered(con, "incoming_payloads", frame):
        con.execute("INSERT INTO meta.payloads BY NAME SELECT run_id, source, name, url, "
                    "CAST(fetched_at AS TIMESTAMP) AS fetched_at, sha256, CAST(bytes AS BIGINT) AS bytes, "
                    "CAST(NULL AS VARCHAR) AS path FROM incoming_payloads")


def record_run(con, run_id: str, source: str, mode: str, started: datetime, finished: datetime, *, status: str,
               rows_loaded: int, rows_rejected: int, payloads: int, data_as_of: datetime | None,
               error: str | None, rows_duplicate: int = 0) -> None:
    """The meta.runs row of one source's run (times in UTC, stored naive)."""
    con.execute(
        "INSERT INTO meta.runs (run_id, source, mode, started_at, finished_at, status, rows_loaded, rows_rejected, "
        "payloads, data_as_of, error, rows_duplicate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, source, mode, started.replace(tzinfo=None), finished.replace(tzinfo=None), status, rows_loaded,
         rows_rejected, payloads, data_as_of, error, rows_duplicate],
    )


# --------------------------------------------------------------------------- marts

def build_marts(con: duckdb.DuckDBPyConnection, only: set[str] | None = None,
                timings: dict[str, float] | None = None) -> list[str]:
    """Build every mart (or the `only` ones) in the declared order of etl.marts.MARTS; returns their names.

    The day-keyed marts rebuild only the days whose core rows changed since they were last built
    (etl/marts/state.py); the core tables are fingerprinted once here for all of them.
    """
    built = []
    clock = time.perf_counter()
    state.prepare(con)
    if timings is not None:  # the profile bench/etl.py prints
        timings["fingerprints"] = time.perf_counter() - clock
    try:
        for mart in MARTS:
            if only is not None and mart.name not in only:
                continue
            clock = time.perf_counter()
            build_mart(con, mart)
            if timings is not None:
                timings[mart.name] = time.perf_counter() - clock
            built.append(mart.name)
    finally:
        state.release(con)
    return built


def build_mart(con: duckdb.DuckDBPyConnection, mart: Mart) -> None:
    if mart.build is not None:
        mart.build(con)
    else:
        state.build_sql(con, mart.name, mart.sql_path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- lock and publish

class LockedError(RuntimeError):
    pass


@contextlib.contextmanager
def run_lock(lock_path: Path):
    """An exclusive, non-blocking lock: a second concurrent run fails at once with who holds it.

    flock is released by the kernel when the holder dies, so a killed run never leaves it stuck.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown process"
        fh.close()
        raise LockedError(f"another ETL run holds {lock_path} ({holder}); try again when it ends") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    fh.flush()
    try:
        yield
    finally:
        fh.truncate(0)
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def building_path(db_path: str) -> Path:
    return Path(f"{db_path}.building")


def discard_build(db_path: str) -> None:
    """Remove a build's files (after a failure: a full disk must not stay full of them)."""
    target = building_path(db_path)
    for leftover in (target, Path(f"{target}.wal"), Path(f"{target}.tmp")):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


class DiskFull(OSError):
    """No space left where the run writes; the message names the place."""


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text


def check_readable(db_path: str) -> str | None:
    """What is wrong with the published warehouse, or None when it opens and has the schema."""
    path = Path(db_path)
    if not path.exists():
        return f"no warehouse at {db_path}"
    if path.stat().st_size == 0:
        return f"the warehouse {db_path} is unreadable: the file is empty"
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" in text.lower():
            return (f"the warehouse {db_path} is locked by another process that opened it for writing "
                    f"({text.split('(', 1)[-1].rstrip(').') if 'PID' in text else 'see lsof'})")
        return f"the warehouse {db_path} is unreadable: {text.splitlines()[0][:300]}"
    try:
        con.execute("SELECT count(*) FROM meta.runs").fetchone()
        con.execute("SELECT count(*) FROM marts.freshness").fetchone()
    except duckdb.Error as exc:
        return f"the warehouse {db_path} is unreadable: {str(exc).splitlines()[0][:300]}"
    finally:
        con.close()
    return None


def open_build(db_path: str, *, fresh: bool) -> duckdb.DuckDBPyConnection:
    """Open the file a run builds into: a copy of the published warehouse, or empty when `fresh`."""
    target = building_path(db_path)
    for leftover in (target, Path(f"{target}.wal")):  # a killed run's half-built file
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not fresh and Path(db_path).exists():
        shutil.copyfile(db_path, target)
    con = duckdb.connect(str(target))
    create_schema(con)
    return con


def publish(con: duckdb.DuckDBPyConnection, db_path: str, snapshot_id: str) -> None:
    """Checkpoint and close the build, then atomically replace the published file with it."""
    con.execute("DELETE FROM meta.snapshot")
    con.execute("INSERT INTO meta.snapshot VALUES (?, now() AT TIME ZONE 'UTC')", [snapshot_id])
    con.execute("CHECKPOINT")
    con.close()
    target = building_path(db_path)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)  # the bytes are on disk before the name points at them
    finally:
        os.close(fd)
    os.replace(target, db_path)


def connect_readonly(db_path: str | None = None) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(db_path or config.get().db_path, read_only=True)
