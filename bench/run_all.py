"""Run every benchmark at a stated size and write one JSON report (make bench).

    python bench/run_all.py --rows 10000000          # the issue's size (about half an hour on 2 cores)
    python bench/run_all.py --rows 200000 --runs 3   # a quick look

Steps, each a child process so each peak RSS is its own: make_warehouse.py at 1M rows and at
--rows (load-path time and ETL peak memory), etl.py (Vast-shaped parse + validate + load vs DuckDB
read_json, marts rebuild of both warehouses with a per-mart profile), browser.py on the seed +
replayed captures warehouse and on the --rows warehouse (with --sessions concurrent sessions).
The report (default bench/out/report.json) carries the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
    except OSError:
        chromium = None
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(), "chromium": chromium,
            **{p: metadata.version(p) for p in ("duckdb", "streamlit", "plotly", "pandas", "playwright")}}


def step(name: str, args: list[str], env: dict | None = None) -> dict:
    """Run one bench script with --json into a temp file; its output streams to the console."""
    print(f"\n== {name}: {' '.join(args)}", flush=True)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    t0 = time.perf_counter()
    code = subprocess.call([sys.executable, str(HERE / args[0]), *args[1:], "--json", out],
                           cwd=ROOT, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t0
    try:
        result = json.loads(Path(out).read_text(encoding="utf-8")) if code == 0 else {}
    except ValueError:
        result = {}
    Path(out).unlink(missing_ok=True)
    if code:
        print(f"{name} exited {code}", flush=True)
    return {"exit_code": code, "wall_s": round(wall, 1), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="synthetic price rows of the big warehouse")
    parser.add_argument("--runs", type=int, default=9, help="browser runs per measure")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--offers", type=int, default=200_000, help="Vast-shaped offers for the throughput step")
    parser.add_argument("--out", default=str(HERE / "out" / "report.json"))
    parser.add_argument("--keep", help="keep the warehouses in this folder (default: a temp folder, removed)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: use warehouses an earlier run left there instead of rebuilding them")
    parser.add_argument("--no-profile", action="store_true", help="skip the per-mart profile (one rebuild less)")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="computewatch-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    report: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                    "rows": args.rows, "steps": {}}
    steps = report["steps"]
    sizes = sorted({min(1_000_000, args.rows), args.rows})
    dbs = {n: str(folder / f"warehouse-{n}.duckdb") for n in sizes}
    for n in sizes:
        sidecar = Path(dbs[n] + ".json")
        if args.reuse and Path(dbs[n]).exists() and sidecar.exists():
            # An earlier run's warehouse and its make_warehouse figures (the load path takes minutes).
            steps[f"make_warehouse {n}"] = {"reused": True, **json.loads(sidecar.read_text(encoding="utf-8"))}
            print(f"\n== make_warehouse {n:,}: reusing {dbs[n]} built {steps[f'make_warehouse {n}'].get('end')}")
            continue
        steps[f"make_warehouse {n}"] = step(f"make_warehouse {n:,}", ["make_warehouse.py", "--rows", str(n)],
                                            {"COMPUTEWATCH_DB": dbs[n]})
        sidecar.write_text(json.dumps(steps[f"make_warehouse {n}"], indent=1), encoding="utf-8")
    marts = [a for n in sizes for a in ("--marts", dbs[n])]
    profile = [] if args.no_profile else ["--profile"]
    steps["etl"] = step("etl", ["etl.py", "--offers", str(args.offers), *profile, *marts])
    steps["browser seed"] = step("browser, seed + replayed captures", ["browser.py", "--runs", str(args.runs)],
                                 {"COMPUTEWATCH_DB": ""})
    steps[f"browser {args.rows}"] = step(f"browser, {args.rows:,} rows",
                                         ["browser.py", "--runs", str(args.runs), "--sessions", str(args.sessions)],
                                         {"COMPUTEWATCH_DB": dbs[args.rows]})
    if not args.keep:
        for db in dbs.values():
            Path(db).unlink(missing_ok=True)
            Path(db + ".json").unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["table"] = table(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\n== the issue's table ({report['machine']['cores']} cores, {report['machine']['cpu']})")
    for row, value in report["table"].items():
        print(f"{row:<48} {value}")
    print(f"\nreport: {args.out}")
    if any(s.get("exit_code") for s in steps.values()):
        sys.exit(1)


def table(report: dict) -> dict:
    """The issue's table rows from the steps' figures (seed column / big-warehouse column)."""
    steps, rows = report["steps"], report["rows"]
    out: dict[str, str] = {}

    def timings(name):
        return steps.get(name, {}).get("timings", {})

    for label, name in (("seed + replay", "browser seed"), (f"{rows:,} rows", f"browser {rows}")):
        t = timings(name)
        pages = [t.get(f"first chart: {p}", {}) for p in ("overview", "demand", "prices", "concentration", "scenarios")]
        if all(pages):
            ratios = [p["ratio_to_floor"] for p in pages]
            out[f"first chart O/D/P/C/S, {label}"] = (" / ".join(f"{p['median_s']:.2f}" for p in pages)
                                                     + f" s; {min(ratios):.1f}-{max(ratios):.1f}x floor "
                                                     f"(floor {t['first chart: floor']['median_s']:.2f} s)")
        for key in ("scenario slider", "concentration simulator slider"):
            if key in t:
                out[f"{key}, {label}"] = (f"{t[key]['median_s']:.3f} s, {t[key]['ratio_to_floor']:.2f}x floor "
                                          f"(floor {t['floor slider']['median_s']:.3f} s)")
        if "server_peak_rss_mb" in steps.get(name, {}):
            out[f"dashboard server peak RSS, {label}"] = f"{steps[name]['server_peak_rss_mb']} MB"
    big_browser = steps.get(f"browser {rows}", {})
    # all sessions' browsers on this machine; the others remote (their charts drawn on their users' machines),
    # pressing at once; remote, each user at a person's pace
    for name, what in (("sessions", "{n} sessions vs one"), ("remote_sessions", "1 + {r} remote sessions vs one"),
                       ("paced_sessions", "1 + {r} remote sessions, a press every {pace:g} s each, vs one")):
        s, floor = big_browser.get(name), big_browser.get(f"floor_{name}")
        if s:
            label = what.format(n=s["sessions"], r=s["sessions"] - 1, pace=s.get("pace_s", 0))
            out[f"{label}, {rows:,} rows"] = (
                f"{s['concurrent_median_s']:.3f} s vs {s['single_median_s']:.3f} s = {s['ratio']:.2f}x"
                + (f" (floor app: {floor['ratio']:.2f}x)" if floor else ""))
    for m in steps.get("etl", {}).get("marts", []):
        hourly = m.get("hourly")
        if hourly:  # the maintainer's hourly run: one new snapshot loaded, then only the changed days rebuilt
            out[f"marts after an hourly run, {m['gpu_prices_rows']:,} price rows"] = (
                f"{hourly['marts_s']:.2f} s ({hourly['marts_cpu_s']:.2f} CPU s), peak RSS (load + marts) "
                f"{hourly['peak_rss_mb']} MB")
        out[f"rebuild all marts from nothing, {m['gpu_prices_rows']:,} price rows"] = (
            f"{m['build_marts_s']:.1f} s, peak RSS {m['peak_rss_mb']} MB")
    big = steps.get(f"make_warehouse {rows}", {})
    if big.get("peak_rss_mb"):
        out[f"warehouse built from nothing (generate + load + marts), {rows:,} rows: peak memory"] = (
            f"{big['peak_rss_mb']} MB")
        out[f"load path (validate + load), {rows:,} rows"] = (
            f"{big['load_s']:.0f} s incl. generation, {big['validate_load_rows_per_s']:,} rows/s validate+load; "
            f"marts {big['marts_s']:.0f} s; total {big['total_s']:.0f} s")
    tp = steps.get("etl", {}).get("throughput")
    if tp:
        out["parse + validate + load, Vast-shaped offers"] = (
            f"{tp['project']['offers_per_s']:,} offers/s vs DuckDB read_json {tp['duckdb_read_json']['offers_per_s']:,}"
            f" offers/s: {tp['ratio_to_duckdb']:.2f}x DuckDB's time")
    return out


if __name__ == "__main__":
    main()
