"""Item 6: a full disk ends a run cleanly: exit 1, one line naming the disk, no partial files, the
published warehouse as it was, and the failure in meta.runs at the next run. Real processes on a
real full filesystem: a small tmpfs mounted for the test (needs root; skipped where mounting is not
permitted)."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent


def etl(data_dir: Path, *args: str):
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(data_dir)}
    env.pop("COMPUTEWATCH_DB", None)
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def small_disk(tmp_path):
    """mount(size_bytes) -> a directory on a tmpfs of that size; unmounted after the test."""
    mounted = []

    def mount(size: int) -> Path:
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("spare_mb", [1, 7])  # full while copying the warehouse / while DuckDB builds
def test_a_full_disk_ends_the_run_cleanly_and_is_recorded(tmp_path, small_disk, spare_mb):
    built = tmp_path / "built"
    assert etl(built, "run", "seed").returncode == 0
    published = built / "warehouse.duckdb"
    size = published.stat().st_size
    disk = small_disk(size + spare_mb * 1024 * 1024)
    data = disk / "data"
    data.mkdir()
    shutil.copy2(published, data / "warehouse.duckdb")
    before = digest(data / "warehouse.duckdb")

    done = etl(data, "run", "seed")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [ln for ln in done.stderr.splitlines() if "disk full" in ln.lower()]
    assert len(lines) == 1 and str(disk) in lines[0], done.stderr[-2000:]
    assert sorted(p.name for p in data.iterdir() if ".building" in p.name or p.suffix == ".wal") == []
    assert digest(data / "warehouse.duckdb") == before
    # With space again (the same files on a roomy disk) the next run records what happened.
    roomy = tmp_path / "roomy"
    shutil.copytree(data, roomy)
    assert etl(roomy, "run", "seed").returncode == 0
    con = duckdb.connect(str(roomy / "warehouse.duckdb"), read_only=True)
    errors = [r[0] for r in con.execute("SELECT error FROM meta.runs WHERE status = 'failed'").fetchall()]
    con.close()
    assert any("disk full" in (e or "").lower() for e in errors), errors
