"""Read-only, cached access to the published warehouse: one connection per published file, queries as data."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl import config

SQL_DIR = Path(__file__).parent / "sql"


def db_path() -> str:
    return config.get().db_path


def snapshot_key() -> tuple | None:
    """Identity of the published file: the ETL replaces it atomically, so a new inode means new data."""
    try:
        stat = os.stat(db_path())
    except FileNotFoundError:
        return None
    return (db_path(), stat.st_ino, stat.st_mtime_ns)


@st.cache_resource(max_entries=2, show_spinner=False)
def _connect(path: str, key: tuple) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published file with identity `key`.

    Keyed by the file identity, so after a publish the next query opens the new file while
    sessions still holding the old connection keep reading the old, intact one. The file is
    ATTACHed to a fresh in-memory database because duckdb.connect(path) would hand back the
    already-open instance of the old file from DuckDB's per-path instance cache.
    """
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS warehouse (READ_ONLY)", [path])
    return con


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False)
def _run(sql: str, params: tuple, key: tuple) -> pd.DataFrame:
    cursor = _connect(key[0], key).cursor()  # a cursor per query: DuckDB connections are not thread-safe
    try:
        cursor.execute("USE warehouse")
        return cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()


def available() -> bool:
    return snapshot_key() is not None


def sql(text: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run a read-only query with bound parameters (never format user values into SQL)."""
    key = snapshot_key()
    if key is None:
        raise FileNotFoundError(f"no warehouse at {db_path()}: run `make run` or `python -m etl run --offline`")
    return _run(text, tuple(params), key)


@cache
def _sql_file(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def named(name: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run dashboard/sql/<name>.sql with bound parameters."""
    return sql(_sql_file(name), params)


def sources_status() -> pd.DataFrame:
    return sql("SELECT * FROM marts.sources_status")


def snapshot_id() -> str | None:
    frame = sql("SELECT id FROM meta.snapshot")
    return None if frame.empty else str(frame.iloc[0, 0])


def has_table(schema: str, table: str) -> bool:
    frame = sql(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        (schema, table),
    )
    return bool(frame.iloc[0, 0])
