"""The dashboard server's memory: concentration rows with shared text (warehouse.shared_text) are the plain read,
value for value; the Concentration page leaves no frame in the globals its fragments keep alive; each script
run hands malloc's free pages back; every DuckDB connection returns its freed memory in the background."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from dashboard.data import warehouse
from tests.conftest import open_page


def _plain_rows() -> pd.DataFrame:
    """The read before shared text: the same SQL file, its frame as DuckDB hands it over."""
    from dashboard.data import concentration

    return warehouse.sql(warehouse.sql_path(concentration.rows).read_text(encoding="utf-8"))


def _assert_same_values(shared: pd.DataFrame, plain: pd.DataFrame) -> None:
    assert list(shared.columns) == list(plain.columns) and len(shared) == len(plain)
    pd.testing.assert_frame_equal(shared, plain, check_dtype=False)
    for name in plain.columns:
        if isinstance(plain[name].dtype, pd.StringDtype):  # still text, missing where it was missing
            assert isinstance(shared[name].dtype, pd.StringDtype), name
            assert shared[name].isna().equals(plain[name].isna()), name
        else:
            assert shared[name].dtype == plain[name].dtype, name
    assert shared.to_csv(index=False) == plain.to_csv(index=False)  # what Data and the CSV show


def _objects(column: pd.Series) -> int:
    return len({id(v) for v in column.dropna().array})


def test_shared_text_keeps_values_and_missing_and_shares_each_distinct_text():
    plain = pd.DataFrame({"market": ["a", "b", "a", None, "a"], "hhi": [1.0, 2.0, np.nan, 4.0, 5.0],
                          "n": pd.array([1, None, 3, 4, 5], dtype="Int32"),
                          "note": pd.Series([None] * 5, dtype="str")})
    shared = warehouse.shared_text(plain)
    _assert_same_values(shared, plain)
    assert _objects(shared["market"]) == 2  # "a" three times, one object
    assert shared["note"].isna().all()
    assert (shared["market"] + "|x").tolist()[:3] == ["a|x", "b|x", "a|x"]  # string arithmetic still works
    assert warehouse.shared_text(plain.iloc[:0]).empty


def test_concentration_rows_are_the_plain_read_with_shared_text(seeded_db):
    from dashboard.data import concentration

    shared, plain = concentration.rows(), _plain_rows()
    assert not plain.empty
    _assert_same_values(shared, plain)


@pytest.mark.captures
def test_replayed_marketplace_rows_share_their_repeated_texts(replayed_db):
    from dashboard.data import concentration

    shared, plain = concentration.rows(), _plain_rows()
    _assert_same_values(shared, plain)
    assert (plain["market"] == "vast_hosts").sum() > 1  # per GPU model and day: the texts repeat
    for name in ("market", "market_label", "basis", "coverage", "source"):
        assert _objects(shared[name]) == plain[name].nunique(), name


def test_concentration_page_keeps_no_frame_in_the_globals_its_fragments_hold(seeded_db):
    at = open_page("concentration")
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) >= 5  # the page ran to its simulators
    gc.collect()
    namespaces = [d for d in gc.get_objects() if isinstance(d, dict) and "entry_simulator" in d
                  and "merger_simulator" in d]
    assert namespaces  # the script's globals, alive through the fragments Streamlit keeps
    for namespace in namespaces:
        kept = [k for k, v in namespace.items() if isinstance(v, pd.DataFrame | pd.Series)]
        assert not kept, kept


def test_each_script_run_ends_by_returning_freed_memory(seeded_db, monkeypatch):
    import platform

    calls = []
    monkeypatch.setattr(warehouse, "_MALLOC_TRIM", lambda pad: calls.append(pad) or 1)
    at = open_page("concentration")
    assert not at.exception, [e.value for e in at.exception]
    assert calls == [0]  # once, after the page and the URL notices
    if platform.libc_ver()[0] == "glibc":
        assert warehouse._glibc_trim() is not None


def test_every_dashboard_connection_returns_duckdb_freed_memory_in_the_background(seeded_db, monkeypatch):
    import duckdb

    configs = []
    real = duckdb.connect

    def connect(database=":memory:", *args, config=None, **kwargs):
        configs.append(config)
        return real(database, *args, config=config or {}, **kwargs)

    monkeypatch.setattr(warehouse.duckdb, "connect", connect)
    warehouse._connect.clear()
    warehouse._problem.clear()
    assert warehouse.problem() is None  # its own short-lived connection
    assert not warehouse.sql("SELECT count(*) AS n FROM marts.indicators").empty
    assert len(configs) == 2 and all(c == warehouse.DUCKDB_CONFIG for c in configs)
    key = warehouse.snapshot_key()
    cursor = warehouse._connect(key[0], key).cursor()
    assert cursor.execute("SELECT current_setting('allocator_background_threads')").fetchone()[0] is True
    cursor.close()
    warehouse._connect.clear()
