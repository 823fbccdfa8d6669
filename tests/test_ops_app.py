"""Items 8 and 17 (app side): an unreadable warehouse is explained with what to run, not an error box;
the sidebar says when a refresh is under way."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP

HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])  # a writer holds the file's lock
    print("holding", flush=True)
    time.sleep(120)
""")


def _run(db: Path, page: str = "overview") -> AppTest:
    assert os.environ["COMPUTEWATCH_DB"] == str(db)
    at = AppTest.from_file(APP, default_timeout=90)
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    return at.run()


@pytest.fixture
def copy_of_seeded(_seeded_file, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPUTEWATCH_DB", str(tmp_path / "warehouse.duckdb"))
    shutil.copy(_seeded_file, tmp_path / "warehouse.duckdb")
    return tmp_path / "warehouse.duckdb"


@pytest.mark.parametrize("kind", ["corrupt", "blank", "truncated", "locked"])
@pytest.mark.parametrize("page", ["overview", "prices", "scenarios", "sources"])
def test_an_unreadable_warehouse_is_explained_with_what_to_run(copy_of_seeded, kind, page):
    db = copy_of_seeded
    holder = None
    if kind == "corrupt":
        db.write_bytes(os.urandom(400_000))
    elif kind == "blank":
        db.write_bytes(b"")
    elif kind == "truncated":
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    else:
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "holding"
    try:
        at = _run(db, page)
    finally:
        if holder:
            holder.send_signal(signal.SIGKILL)
            holder.wait()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and "python -m etl run --due" in at.error[0].value
    detail = " ".join(t.value for t in at.text)
    assert str(db) in detail and ("locked" in detail if kind == "locked" else "read" in detail or "empty" in detail)


def test_the_sidebar_says_a_refresh_is_under_way_while_the_etl_holds_its_lock(copy_of_seeded):
    lock = Path(f"{copy_of_seeded}.lock")
    lock.write_text(f"pid {os.getpid()} since 2026-12-01 09:00:00 UTC")  # this process is alive
    at = _run(copy_of_seeded)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "refresh from the live sources is under way (since 2026-12-01 09:00:00 UTC)" in captions


def test_a_killed_refresh_leaves_no_under_way_note(copy_of_seeded):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    Path(f"{copy_of_seeded}.lock").write_text(f"pid {dead.pid} since 2026-12-01 09:00:00 UTC")
    at = _run(copy_of_seeded)
    assert "under way" not in " ".join(c.value for c in at.sidebar.caption)
