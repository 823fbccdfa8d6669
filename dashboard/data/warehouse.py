"""Read-only, cached access to the published warehouse: one connection per published file, SQL from files.

Every query the dashboard runs is a file dashboard/data/sql/<topic>_<what>.sql, run by the function
`<what>` of dashboard/data/<topic>.py through `run(<that function>, params)`: the file name follows
from the function, so go-to-definition on a data function lands next to the name of its SQL.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from etl import config

SQL_DIR = Path(__file__).parent / "sql"


def _arrow_memory_returns_to_the_system() -> None:
    """pandas keeps the frames' strings in Arrow buffers; Arrow's default allocator (mimalloc) keeps memory
    it freed, so every rerun's short-lived frames raise the server's resident memory for good. jemalloc with
    no decay hands freed pages back at once (about 35 MB less on a 1M-row warehouse, bench/browser.py)."""
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:  # a pyarrow built without jemalloc: keep its default
        pass


_arrow_memory_returns_to_the_system()


def _glibc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


_MALLOC_TRIM = _glibc_trim()


def return_freed_memory() -> None:
    """Hand the pages that malloc holds free back to the system (glibc's malloc_trim; a no-op elsewhere).

    Everything that is not Arrow (DuckDB's results and buffers, numpy columns, Python objects) comes from
    malloc, and glibc keeps what it freed in an arena per thread; Streamlit runs each session's script in its
    own thread, so every session's short-lived frames kept the server's resident memory up. Cheap (well under
    a millisecond with little to return); called once at the end of each script run (dashboard/app.py).
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def db_path() -> str:
    return config.db_path()


def snapshot_key() -> tuple | None:
    """Identity of the published file: the ETL replaces it atomically, so a new inode means new data."""
    path = db_path()
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (path, stat.st_ino, stat.st_mtime_ns)


# DuckDB allocates through its own jemalloc, which returns freed pages only when later allocations come by: a
# page's query results stayed resident in an idle server (a concentration read left 38 MB behind on a 10M-row
# warehouse). Its background threads return them within seconds (19 MB left: the frame itself and Python's
# share). The setting is the process's, and every new database applies its own: so every connection the
# dashboard opens carries it (one without it would switch the threads off again).
DUCKDB_CONFIG = {"allocator_background_threads": True}


@st.cache_resource(max_entries=2, show_spinner=False)
def _connect(path: str, key: tuple) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published file with identity `key`.

    Keyed by the file identity, so after a publish the next query opens the new file while
    sessions still holding the old connection keep reading the old, intact one. The file is
    ATTACHed to a fresh in-memory database because duckdb.connect(path) would hand back the
    already-open instance of the old file from DuckDB's per-path instance cache.
    """
    return _open(path)


def _open(path: str) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database (DUCKDB_CONFIG) with the file at `path` attached read-only as `warehouse`."""
    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    try:
        con.execute("ATTACH ? AS warehouse (READ_ONLY)", [path])
    except BaseException:
        con.close()
        raise
    return con


_PYTHON_STR = pd.StringDtype("python", na_value=np.nan)


def shared_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each text column held as Python strings, every distinct text one object that its rows
    share (the same values and NaNs; the `str` dtype stored in Python instead of Arrow).

    For frames whose rows repeat a few texts: Arrow stores each row's text again, so every filtered copy a page
    makes copies the texts too; shared objects cost a pointer a row, in a copy and in a pickled cache entry.
    """
    out = frame.copy(deep=False)
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            codes, uniques = pd.factorize(column)
            texts = np.append(np.asarray(uniques, dtype=object), np.nan)  # code -1 (missing) picks the NaN
            out[name] = pd.array(texts[codes], dtype=_PYTHON_STR)
    return out


# Each entry is a pickled frame (up to ~10 MB on a 1M-row warehouse); a page runs about a dozen queries,
# so 128 hold every page's default view and then some, within the server's memory budget.
@st.cache_data(ttl=3600, max_entries=128, show_spinner=False)
def _run(sql: str, params: tuple, key: tuple, shared: bool = False) -> pd.DataFrame:
    cursor = _connect(key[0], key).cursor()  # a cursor per query: DuckDB connections are not thread-safe
    try:
        cursor.execute("USE warehouse")
        frame = cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()
    return shared_text(frame) if shared else frame


def available() -> bool:
    return snapshot_key() is not None


REBUILD = "python -m etl run --due"


@st.cache_data(ttl=10, max_entries=8, show_spinner=False)  # a lock can come and go on the same file
def _problem(key: tuple) -> str | None:
    path = key[0]
    if os.stat(path).st_size == 0:
        return f"The warehouse {path} is empty (0 bytes)."
    try:
        con = _open(path)
        try:
            con.execute("SELECT count(*) FROM warehouse.meta.runs").fetchone()
            con.execute("SELECT count(*) FROM warehouse.marts.freshness").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0][:300]
        if "lock" in first.lower():
            return (f"The warehouse {path} is locked by another process that opened it for writing ({first}). "
                    "Close that process; the ETL itself never holds the published file open.")
        return f"The warehouse {path} cannot be read ({first})."
    return None


def problem() -> str | None:
    """What is wrong with the published file (empty, corrupt, truncated, locked), or None when it reads."""
    key = snapshot_key()
    return None if key is None else _problem(key)


def refresh_under_way() -> str | None:
    """The start time of the ETL run that holds the run lock right now, or None.

    The ETL writes "pid N since <time> UTC" into the lock file while it runs and empties it at the end;
    a run that was killed leaves its text behind, so the pid must still be alive.
    """
    try:
        text = config.get().lock_path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    parts = text.split()
    if len(parts) < 4 or parts[0] != "pid" or not parts[1].isdigit():
        return None
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by another user
    return " ".join(parts[3:])


def sql(text: str, params: tuple | list = (), *, shared: bool = False) -> pd.DataFrame:
    """Run a read-only query with bound parameters (never format user values into SQL); with `shared`, its
    text columns as shared strings (see shared_text)."""
    key = snapshot_key()
    if key is None:
        raise FileNotFoundError(f"no warehouse at {db_path()}: run `make run` or `python -m etl run --offline`")
    return _run(text, tuple(params), key, shared)


def sql_path(function: Callable) -> Path:
    """dashboard/data/sql/<topic>_<function name>.sql for a function of dashboard/data/<topic>.py."""
    topic = function.__module__.rsplit(".", 1)[-1]
    return SQL_DIR / f"{topic}_{function.__name__}.sql"


@cache
def _sql_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def run(function: Callable, params: tuple | list = (), *, shared: bool = False) -> pd.DataFrame:
    """Run the SQL file of the data function `function` (see sql_path) with bound parameters (and `shared`
    as for sql)."""
    return sql(_sql_text(sql_path(function)), params, shared=shared)


def has_table(schema: str, table: str) -> bool:
    return bool(run(has_table, (schema, table)).iloc[0, 0])
