"""Offline rebuild time against the number of archived Vast snapshots (issue 14 item 15).

Archives N copies of one captured Vast day (../shared/captures/vast/2026-03-04), each stamped 6 hours
after the previous, as N live runs would have, then times `etl run --offline` (seed + vast) in a
fresh process, --repeat times. Prints one line per N: the first rebuild (which parses every snapshot
and, since issue 14, fills the parse cache) and the median of the later ones.

    .venv/bin/python bench/offline_rebuild.py --snapshots 1 60 240
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAPTURE = ROOT.parent / "shared" / "captures" / "vast" / "2026-03-04"
sys.path.insert(0, str(ROOT))

from etl.provenance import Payload  # noqa: E402


def write_archive(raw_dir: Path, n: int) -> None:
    from etl import pipeline

    # The archive writer the pipeline uses (main before issue 14 had its own in pipeline.py).
    write_snapshot = getattr(pipeline, "archive", None)
    if not callable(write_snapshot):
        from etl.archive import write_snapshot
    base = [Payload.from_file(p, url=f"replay:vast/{p.name}") for p in sorted(CAPTURE.glob("2026-03-04_*.json"))]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        stamp = start + timedelta(hours=6 * i)
        write_snapshot(raw_dir, "vast", [dataclasses.replace(p, fetched_at=stamp) for p in base], stamp)


def time_rebuild(data_dir: Path) -> float:
    env = {**os.environ, "COMPUTEWATCH_DATA_DIR": str(data_dir)}
    env.pop("COMPUTEWATCH_DB", None)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "etl", "run", "--offline"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"rebuild failed: {done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, nargs="+", default=[1, 60, 240])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CAPTURE.is_dir():
        raise SystemExit(f"needs the captures at {CAPTURE}")
    for n in args.snapshots:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            write_archive(data_dir / "raw", n)
            times = [time_rebuild(data_dir) for _ in range(args.repeat)]
            later = statistics.median(times[1:]) if len(times) > 1 else float("nan")
            print(f"vast snapshots {n:>4}: first offline rebuild {times[0]:5.1f} s, later ones {later:5.1f} s "
                  f"(all: {', '.join(f'{t:.1f}' for t in times)})", flush=True)


if __name__ == "__main__":
    main()
