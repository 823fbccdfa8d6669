"""Item 1: a run killed while archiving never corrupts the previous good snapshot (real processes)."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-03-04"
PAD = 24 * 1024 * 1024  # the second capture file: larger than the file-size limit below

CHILD = textwrap.dedent("""
    import os, resource, signal, sys
    from pathlib import Path
    from etl import pipeline
    from tests.ops_support import register, replay_source
    limit = int(sys.argv[3])
    if limit:
        # The kernel kills this process (SIGXFSZ, default action) as soon as any file it writes
        # reaches `limit` bytes: a kill at an exact byte inside an archive write.
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    register(replay_source())
    mode = sys.argv[1]
    names = ["fakepad"] if mode == "replay" else None
    report = pipeline.run(names, mode=mode, replay_dir=Path(sys.argv[2]), log=sys.stderr)
    sys.exit(1 if report.failed else 0)
""")


def child(mode: str, replay_dir: Path, data_dir: Path, limit: int = 0):
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(data_dir), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("COMPUTEWATCH_DB", None)
    return subprocess.run([sys.executable, "-c", CHILD, mode, str(replay_dir), str(limit)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def fake_rows(db: Path) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute("SELECT offer_id, price_usd_per_gpu_hour FROM core.gpu_prices "
                                  "WHERE source = 'fakepad'").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("limit_mb", [12, 18])
def test_kill_while_archiving_a_replay_keeps_the_previous_snapshot_for_offline_rebuilds(tmp_path, limit_mb):
    from tests.ops_support import write_capture

    replay, data = tmp_path / "replay", tmp_path / "data"
    offers = [{"id": i, "n": 1, "dph": 1.0 + i / 100} for i in range(50)]
    write_capture(replay, "fakepad", DAY, offers, padding_bytes=PAD - 1024)
    first = child("replay", replay, data)
    assert first.returncode == 0, first.stderr
    good = fake_rows(data / "warehouse.duckdb")
    assert len(good) == 50

    # The same capture day replayed again with revised content; killed inside the archive write.
    write_capture(replay, "fakepad", DAY, [{**o, "dph": o["dph"] * 2} for o in offers], padding_bytes=PAD)
    killed = child("replay", replay, data, limit=limit_mb * 1024 * 1024)
    assert killed.returncode == -signal.SIGXFSZ, f"not killed mid-write: {killed.returncode} {killed.stderr[-500:]}"
    assert fake_rows(data / "warehouse.duckdb") == good  # the published warehouse is untouched

    # An offline rebuild from the archive still has every row of the last good snapshot.
    (data / "warehouse.duckdb").unlink()
    rebuilt = child("offline", replay, data)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert fake_rows(data / "warehouse.duckdb") == good
