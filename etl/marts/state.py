"""Incremental marts: per-day fingerprints of a core table and each mart's record of the days it was built from.

Almost every mart rule is per day (docs/METHODOLOGY.md §3: dedupe, voting units, outliers and the index
are per day; §1.7: host capacity is per day), so a mart need only recompute the days whose input rows
changed. A day's fingerprint, per source, is (rows, sum of a hash of every column): cheap for DuckDB
over ten million rows, and changed by any insert, delete or rewrite of that day's rows (a replace-load
source or a backfill rewriting an old day included). Each mart records the fingerprints it last built
from and a version string (its method version and the small reference inputs it reads); a version
change, a missing record or a missing output table means a full rebuild.

The record lives in meta.mart_days / meta.mart_versions of the same file as the marts, so it travels
with them: a run continuing from the published warehouse continues from its marts, and a fresh build
(a full offline run) starts with no record and rebuilds everything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pandas as pd

DAYS_TABLE = "meta.mart_days"
VERSIONS_TABLE = "meta.mart_versions"
_FP_PREFIX = "_mart_fp_"  # temp tables build_marts fills once for every mart of one build


def _core_columns(table: str) -> list[str]:
    from etl.warehouse import CORE  # late: etl.warehouse imports etl.marts

    return list(CORE[table])


def _fingerprint_sql(con: duckdb.DuckDBPyConnection, table: str) -> str:
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'core' AND table_name = ?",
        [table]).fetchall()}
    cols = ", ".join(c for c in _core_columns(table) if c in have)
    return (f"SELECT CAST(observed_at AS DATE) AS day, source, count(*) AS n, "
            f"CAST(sum(hash({cols})) AS VARCHAR) AS h FROM core.{table} GROUP BY ALL")


def prepare(con: duckdb.DuckDBPyConnection, tables=("gpu_prices", "supply")) -> None:
    """Fingerprint each core table once for every mart of this build (build_marts calls it)."""
    for table in tables:
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {_FP_PREFIX}{table} AS {_fingerprint_sql(con, table)}")
        except duckdb.CatalogException:
            continue


def release(con: duckdb.DuckDBPyConnection, tables=("gpu_prices", "supply")) -> None:
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS {_FP_PREFIX}{table}")


def fingerprints(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """(day, source, n, h) of core.<table>: from this build's temp table, else computed now."""
    try:
        return con.execute(f"SELECT * FROM temp.{_FP_PREFIX}{table}").df()
    except duckdb.CatalogException:
        pass
    try:
        return con.execute(_fingerprint_sql(con, table)).df()
    except duckdb.CatalogException:  # no such core table: nothing to build from
        return pd.DataFrame({"day": pd.Series(dtype=object), "source": pd.Series(dtype=object),
                             "n": pd.Series(dtype="int64"), "h": pd.Series(dtype=object)})


def frame_hash(frame: pd.DataFrame) -> str:
    """A stable digest of a small frame (a reference table, a derived column), for a version string."""
    if frame is None or frame.empty:
        return "empty"
    text = frame.sort_values(list(frame.columns)).to_csv(index=False) if len(frame.columns) else ""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(f"CREATE TABLE IF NOT EXISTS {DAYS_TABLE} (mart VARCHAR, day DATE, source VARCHAR, n BIGINT, "
                "h VARCHAR)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (mart VARCHAR, version VARCHAR)")


def _exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                       [schema, name]).fetchall()[0][0] > 0


@dataclass
class Plan:
    """What a mart rebuilds: everything (`full`), or only `days` (whose rows changed, appeared or vanished)."""

    mart: str
    version: str
    current: pd.DataFrame  # (day, source, n, h) the mart is built from now
    full: bool
    days: list[date] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # day -> rows of that day now (for chunking)

    def chunks(self, max_rows: int) -> list[list[date]]:
        """The days to build in groups of at most about `max_rows` input rows (a day is never split)."""
        out, part, n = [], [], 0
        for d in sorted(self.days):
            rows = self.rows.get(d, 0)
            if part and n + rows > max_rows:
                out.append(part)
                part, n = [], 0
            part.append(d)
            n += rows
        if part:
            out.append(part)
        return out


def plan(con: duckdb.DuckDBPyConnection, mart: str, current: pd.DataFrame, version: str,
         outputs: tuple[str, ...]) -> Plan:
    """Compare `current` fingerprints (day, source, n, h) with what `mart` was last built from."""
    _ensure(con)
    current = current.copy()
    current["day"] = pd.to_datetime(current["day"]).dt.date
    rows = current.groupby("day")["n"].sum().to_dict() if not current.empty else {}
    stored = con.execute(f"SELECT version FROM {VERSIONS_TABLE} WHERE mart = ?", [mart]).fetchall()
    if not stored or stored[0][0] != version or not all(_exists(con, t) for t in outputs):
        return Plan(mart, version, current, True, sorted(rows), rows)
    before = {(d, s): (n, h) for d, s, n, h in con.execute(
        f"SELECT day, source, n, h FROM {DAYS_TABLE} WHERE mart = ?", [mart]).fetchall()}
    now = {(d, s): (int(n), h) for d, s, n, h in zip(current["day"], current["source"], current["n"], current["h"],
                                                      strict=True)}
    changed = {key[0] for key in before.keys() | now.keys() if before.get(key) != now.get(key)}
    return Plan(mart, version, current, False, sorted(changed), rows)


def commit(con: duckdb.DuckDBPyConnection, p: Plan) -> None:
    """Record that `p.mart` now reflects `p.current` (after its tables were written)."""
    _ensure(con)
    con.execute(f"DELETE FROM {DAYS_TABLE} WHERE mart = ?", [p.mart])
    con.execute(f"DELETE FROM {VERSIONS_TABLE} WHERE mart = ?", [p.mart])
    if not p.current.empty:
        frame = p.current[["day", "source", "n", "h"]].assign(mart=p.mart)
        con.register("mart_state_incoming", frame)
        try:
            con.execute(f"INSERT INTO {DAYS_TABLE} SELECT mart, CAST(day AS DATE), source, n, h "
                        "FROM mart_state_incoming")
        finally:
            con.unregister("mart_state_incoming")
    con.execute(f"INSERT INTO {VERSIONS_TABLE} VALUES (?, ?)", [p.mart, p.version])


def forget(con: duckdb.DuckDBPyConnection, mart: str | None = None) -> None:
    """Drop the record (of one mart, or all): the next build is a full rebuild."""
    _ensure(con)
    where, params = ("WHERE mart = ?", [mart]) if mart else ("", [])
    con.execute(f"DELETE FROM {DAYS_TABLE} {where}", params)
    con.execute(f"DELETE FROM {VERSIONS_TABLE} {where}", params)


# --------------------------------------------------------------------------- SQL marts by day

# A SQL mart whose rows are per day of one core table marks that input `core.<table> /* per day */` (the
# other reads are whole), has a `day` column, and may name in a `-- version:` line a query whose
# result, when it changes, rebuilds it whole (e.g. the sources that publish network totals).
PER_DAY = re.compile(r"core\.([a-z_]+) /\* per day \*/")
VERSION_QUERY = re.compile(r"^-- version: (.+)$", re.M)
SQL_CHUNK_ROWS = 200_000


def build_sql(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    """Run a SQL mart: whole when it has no per-day input or its record is stale, else only the changed days."""
    inputs = set(PER_DAY.findall(sql))
    if len(inputs) != 1:
        con.execute(sql)
        return
    (table,) = inputs
    version = hashlib.sha256(sql.encode()).hexdigest()[:16]
    for query in VERSION_QUERY.findall(sql):
        try:
            version += "|" + frame_hash(con.execute(query).df())
        except duckdb.CatalogException:
            version += "|missing"
    p = plan(con, name, fingerprints(con, table), version, (f"marts.{name}",))
    select = re.sub(rf"(?s)^.*?CREATE OR REPLACE TABLE marts\.{name} AS", "", re.sub(r"--[^\n]*", "", sql))
    select = PER_DAY.sub("temp._mart_day_rows", select).strip().rstrip(";")
    if p.full:  # in groups of days too: one query over every day holds all of them (1 GB at 4.5M supply rows)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _mart_day_rows AS SELECT * FROM core.{table} LIMIT 0")
        con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS SELECT * FROM ({select}) LIMIT 0")
    else:
        con.execute(f"DELETE FROM marts.{name} WHERE list_contains(?::DATE[], day)", [p.days])
    if p.days:
        for days in p.chunks(SQL_CHUNK_ROWS):
            lo, hi = min(days), max(days) + timedelta(days=1)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _mart_day_rows AS SELECT * FROM core.{table} "
                        "WHERE observed_at >= ? AND observed_at < ? AND list_contains(?::DATE[], CAST(observed_at AS DATE)) "
                        "ORDER BY rowid",  # the same relative order (and rowid order) as the core table's
                        [lo, hi, days])
            con.execute(f"INSERT INTO marts.{name} {select}")
    con.execute("DROP TABLE IF EXISTS temp._mart_day_rows")
    commit(con, p)
