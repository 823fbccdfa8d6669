"""Profiles (pyinstrument, a bench-only dependency) of a page's script run, the Vast parse path and the marts.

    COMPUTEWATCH_DB=/tmp/w.duckdb python bench/profile.py --page prices --page scenarios
    python bench/profile.py --parse 50000
    COMPUTEWATCH_DB=/tmp/w.duckdb python bench/profile.py --marts [--full]

A page is run twice in one process with Streamlit's AppTest (cold: empty caches; warm: the
second run, what a reader's rerun costs); the warm run is printed unless --cold. Output is
pyinstrument's text tree, trimmed to frames of at least --min-share of the run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.exit("pyinstrument is not installed: .venv/bin/pip install pyinstrument (a test extra)")
    return Profiler(interval=0.002)


def show(p, title: str, min_share: float) -> None:
    from pyinstrument.renderers import ConsoleRenderer

    renderer = ConsoleRenderer(unicode=False, color=False, show_all=False, time="seconds",
                               processor_options={"filter_threshold": min_share})
    print(f"\n==== {title}")
    print(p.output(renderer))


def page(name: str, cold: bool, min_share: float) -> None:
    """Profile the page's script run; AppTest runs scripts in a thread of its own, so the profiler
    starts and stops inside ScriptRunner._run_script, on that thread."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    from tests.conftest import open_page

    if not cold:
        open_page(name)  # warm the caches (st.cache_data persists in-process)
    runs = []
    original = ScriptRunner._run_script

    def profiled(self, rerun_data):
        p = profiler()
        p.start()
        try:
            return original(self, rerun_data)
        finally:
            p.stop()
            runs.append(p)

    ScriptRunner._run_script = profiled
    try:
        at = open_page(name)
    finally:
        ScriptRunner._run_script = original
    if at.exception:
        print(f"{name}: exception {[e.value for e in at.exception]}")
    for p in runs:
        show(p, f"page {name} ({'cold' if cold else 'warm'} run)", min_share)


def parse(n: int, min_share: float) -> None:
    from bench.etl import project_path, write_offer_files

    with tempfile.TemporaryDirectory() as tmp:
        snapshots = write_offer_files(Path(tmp), n, 1000)
        p = profiler()
        p.start()
        result = project_path(snapshots, Path(tmp) / "w.duckdb")
        p.stop()
    show(p, f"parse + validate + load of {result['offers']:,} Vast-shaped offers", min_share)


def marts(min_share: float, full: bool) -> None:
    import duckdb

    from etl import warehouse
    from etl.marts import state

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "w.duckdb"
        shutil.copyfile(os.environ["COMPUTEWATCH_DB"], copy)
        con = duckdb.connect(str(copy))
        if full:  # without it the marts are current and the incremental build has nothing to do
            state.forget(con)
        p = profiler()
        p.start()
        warehouse.build_marts(con)
        p.stop()
        con.close()
    show(p, "build_marts" + (" from nothing" if full else " (incremental: only changed days)"), min_share)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", default=[], help="overview, demand, prices, ...")
    parser.add_argument("--cold", action="store_true", help="profile the first (cold-cache) run")
    parser.add_argument("--parse", type=int, default=0, help="profile the parse path on this many offers")
    parser.add_argument("--marts", action="store_true", help="profile build_marts on a copy of COMPUTEWATCH_DB")
    parser.add_argument("--full", action="store_true", help="with --marts: forget the marts' state first (full rebuild)")
    parser.add_argument("--min-share", type=float, default=0.02, help="hide frames below this share of the run")
    args = parser.parse_args()
    for name in args.page:
        page(name, args.cold, args.min_share)
    if args.parse:
        parse(args.parse, args.min_share)
    if args.marts:
        marts(args.min_share, args.full)


if __name__ == "__main__":
    main()
