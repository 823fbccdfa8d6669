"""ETL throughput: parse + validate + load of Vast-shaped offers next to DuckDB's read_json, and marts rebuild time.

    python bench/etl.py --offers 200000                 # parse/validate/load vs read_json
    python bench/etl.py --marts /tmp/w1m.duckdb --marts /tmp/w10m.duckdb   # rebuild every mart of each

Offers: Vast-shaped payload files (`{"offers": [...]}`, every field a captured offer has), each
offer a captured one (../shared/captures/vast, else tests/fixtures/vast_offers.json) with a new
id and a jittered price, in files of --per-file offers as the connector archives them (one file
per GPU-model query). The project's path: etl.sources.vast.parse -> etl.warehouse.validate ->
etl.warehouse.load into an empty warehouse. DuckDB's: read_json of the same files, unnest the
offers and INSERT the same gpu_prices columns (price = dph_total / num_gpus) into the same table:
the floor of what loading these bytes can cost.

Marts: each warehouse is copied to a temporary file, where (1) every mart is rebuilt from scratch
(the marts' record of what they were built from forgotten, etl/marts/state.py), then (2) the hourly
case on that result: one new synthetic snapshot (bench/make_warehouse.py's generators: a snapshot's
worth of Vast offers and gpu_price_tracker rows, an hour after the newest row) loaded through
etl.warehouse.validate/load, then etl.warehouse.build_marts, which rebuilds only the changed days.
Each runs in its own child process so its peak RSS (hourly: load + marts) is its own; the seconds of
each mart (etl.marts.MARTS order, plus the core fingerprints) are kept, and printed with --profile.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_warehouse import CAPTURES, raw_offers  # noqa: E402

FILES_PER_SNAPSHOT = 14  # one search per GPU model a run (etl.sources.vast.GPU_NAMES)

DUCKDB_INSERT = r"""
INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, gpu_model_raw, gpu_count,
    price_usd_per_gpu_hour, price_type, region, offer_id, host_id, machine_id, geolocation, rented, reliability)
SELECT strptime(regexp_extract(filename, '(\d{4}-\d\d-\d\dT\d{6})', 1), '%Y-%m-%dT%H%M%S'), 'vast', 'vast', 'marketplace', o.gpu_name, o.gpu_name, o.num_gpus,
       o.dph_total / nullif(o.num_gpus, 0), CASE WHEN o.is_bid THEN 'bid' ELSE 'on_demand' END,
       upper(trim(string_split(o.geolocation, ',')[-1])), CAST(o.id AS VARCHAR), CAST(o.host_id AS VARCHAR),
       CAST(o.machine_id AS VARCHAR), o.geolocation, coalesce(o.rented, false),
       coalesce(o.reliability2, o.reliability)
FROM (SELECT filename, unnest(offers) AS o
      FROM read_json(?, format = 'auto', filename = true, maximum_object_size = 1000000000))
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_offer_files(folder: Path, n: int, per_file: int, seed: int = 3) -> list[list[Path]]:
    """`n` Vast-shaped offers in files of `per_file`, drawn from the captured offers, grouped into
    snapshots of FILES_PER_SNAPSHOT files (one a GPU-model query) in folders named by their time."""
    templates = raw_offers(CAPTURES)
    rng = random.Random(seed)
    files = []
    for f in range(-(-n // per_file)):
        offers = []
        for i in range(min(per_file, n - f * per_file)):
            offer = dict(templates[rng.randrange(len(templates))])
            offer["id"] = 10_000_000 + f * per_file + i
            if isinstance(offer.get("dph_total"), int | float):
                offer["dph_total"] = offer["dph_total"] * rng.uniform(0.8, 1.25)
            offers.append(offer)
        snapshot = f // FILES_PER_SNAPSHOT
        stamp = f"2026-03-{1 + snapshot // 24:02d}T{snapshot % 24:02d}0000"
        path = folder / stamp / f"{stamp}_{f % FILES_PER_SNAPSHOT:02d}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"offers": offers}), encoding="utf-8")
        files.append(path)
    return [files[i:i + FILES_PER_SNAPSHOT] for i in range(0, len(files), FILES_PER_SNAPSHOT)]


def empty_warehouse(path: Path):
    import duckdb

    from etl import config, warehouse

    con = duckdb.connect(str(path))
    warehouse.create_schema(con)
    warehouse.load_reference(con, config.get().seed_dir)
    return con


def project_path(snapshots: list[list[Path]], db: Path) -> dict:
    """parse -> validate -> load, each timed, one snapshot's files at a time as a run loads them, all in
    one transaction as pipeline.run_source loads a source (the commit counts as load)."""
    from etl import pipeline, sources, warehouse
    from etl.provenance import Payload

    module = sources.get("vast")
    con = empty_warehouse(db)
    t = {"read": 0.0, "parse": 0.0, "validate": 0.0, "load": 0.0}
    c = dict.fromkeys(t, 0.0)  # CPU seconds of each step (all threads): a shared machine's wall time waits for others
    prices = supply = 0
    cpu0 = time.process_time()
    con.execute("BEGIN TRANSACTION")
    for files in snapshots:
        clocks = [(time.perf_counter(), time.process_time())]
        payloads = [Payload.from_file(path) for path in files]
        clocks.append((time.perf_counter(), time.process_time()))
        rows = list(pipeline.parse_for_validation(module, payloads))  # as a run parses (columns)
        clocks.append((time.perf_counter(), time.process_time()))
        data = warehouse.validate("vast", rows, default_segment="marketplace")
        clocks.append((time.perf_counter(), time.process_time()))
        warehouse.load(con, module.SOURCE, data)
        clocks.append((time.perf_counter(), time.process_time()))
        for step, (start, end) in zip(t, zip(clocks, clocks[1:], strict=False), strict=True):
            t[step] += end[0] - start[0]
            c[step] += end[1] - start[1]
        prices += data.count("gpu_prices")
        supply += data.count("supply")
    clock, cpu_clock = time.perf_counter(), time.process_time()
    con.execute("COMMIT")
    t["load"] += time.perf_counter() - clock
    c["load"] += time.process_time() - cpu_clock
    cpu = time.process_time() - cpu0
    con.close()
    total = sum(t.values())
    return {"offers": prices, "supply_rows": supply, **{f"{k}_s": round(v, 3) for k, v in t.items()},
            "total_s": round(total, 3), "cpu_s": round(cpu, 3), **{f"cpu_{k}_s": round(v, 3) for k, v in c.items()},
            "offers_per_s": round(prices / total),
            "rows_per_s": round((prices + supply) / total)}  # offers + supply rows


def duckdb_path(snapshots: list[list[Path]], db: Path) -> dict:
    con = empty_warehouse(db)
    t0, cpu0 = time.perf_counter(), time.process_time()
    con.execute(DUCKDB_INSERT, [[str(f) for files in snapshots for f in files]])
    total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    n = con.execute("SELECT count(*) FROM core.gpu_prices").fetchone()[0]
    con.close()
    # cpu_s: every thread's CPU seconds (DuckDB uses all cores; the project path mostly one), which
    # a machine shared with other work disturbs less than the wall time
    return {"offers": n, "total_s": round(total, 3), "cpu_s": round(cpu, 3), "offers_per_s": round(n / total)}


def throughput(n: int, per_file: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        snapshots = write_offer_files(folder, n, per_file)
        mb = sum(f.stat().st_size for files in snapshots for f in files) / 1e6
        ours = project_path(snapshots, folder / "project.duckdb")
        floor = duckdb_path(snapshots, folder / "duckdb.duckdb")
    return {"files": sum(map(len, snapshots)), "snapshots": len(snapshots), "mb": round(mb, 1), "project": ours, "duckdb_read_json": floor,
            "ratio_to_duckdb": round(ours["total_s"] / floor["total_s"], 2)}


# --------------------------------------------------------------------------- marts

def snapshot_rows(db: str, path: Path) -> dict:
    """One new hourly snapshot for warehouse `db`, pickled to `path`: Vast offers (bench/make_warehouse.py's
    OfferPool, as many as the warehouse's average snapshot) and gpu_price_tracker rows, an hour after its
    newest row, as a maintainer's hourly run loads them."""
    import pickle
    from datetime import timedelta

    import duckdb
    import numpy as np

    from bench.make_warehouse import OfferPool, marketplace_templates, tracker_snapshot, tracker_templates

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "read.duckdb"
        shutil.copyfile(db, copy)
        con = duckdb.connect(str(copy), read_only=True)
        newest, = con.execute("SELECT max(observed_at) FROM core.gpu_prices").fetchone()
        per = dict(con.execute("""SELECT source, count(*) // count(DISTINCT observed_at) FROM core.gpu_prices
                                  WHERE source IN ('vast', 'gpu_price_tracker') GROUP BY source""").fetchall())
        tracker = tracker_templates(con)
        con.close()
    t = newest + timedelta(hours=1)
    pool = OfferPool(marketplace_templates(CAPTURES), max(per.get("vast", 0), 1))
    prices, supply = pool.snapshot(0, t, t)
    rows = {"vast": prices + supply,
            "gpu_price_tracker": tracker_snapshot(tracker, per.get("gpu_price_tracker", 0), t, t,
                                                  np.random.default_rng(5)) if tracker else []}
    path.write_bytes(pickle.dumps(rows))
    return {"at": t.isoformat(), "vast_offers": len(prices), "supply_rows": len(supply),
            "tracker_rows": len(rows["gpu_price_tracker"])}


def marts_child(kind: str, db: str, out: str | None, snapshot: str | None) -> None:
    """In the child: `full`: forget the marts' record of what they were built from and build every mart of
    `db` from scratch (saved at `out`); `hourly`: load the pickled snapshot into `db` through
    warehouse.validate/load, then build the marts (only the changed days). Prints one JSON line; the peak
    RSS is this child's alone."""
    import pickle

    import duckdb

    from etl import sources, warehouse
    from etl.marts import state

    con = duckdb.connect(db)
    rows = con.execute("SELECT count(*) FROM core.gpu_prices").fetchone()[0]
    supply = con.execute("SELECT count(*) FROM core.supply").fetchone()[0]
    result = {"kind": kind, "gpu_prices_rows": rows, "supply_rows": supply}
    if kind == "full":
        state.forget(con)
    else:
        t0 = time.perf_counter()
        loaded = 0
        for name, batch in pickle.loads(Path(snapshot).read_bytes()).items():
            source = sources.SOURCES[name]
            data = warehouse.validate(name, batch, default_segment=source.segment)
            loaded += warehouse.load(con, source, data)
        result.update(load_s=round(time.perf_counter() - t0, 2), rows_loaded=loaded)
    parts: dict[str, float] = {}
    t0, cpu0 = time.perf_counter(), cpu_s()
    warehouse.build_marts(con, timings=parts)
    # CPU seconds (all threads) next to wall seconds: on a shared machine the wall time waits for others
    result.update(marts_s=round(time.perf_counter() - t0, 2), marts_cpu_s=round(cpu_s() - cpu0, 2),
                  parts_s={k: round(v, 3) for k, v in parts.items()}, peak_rss_mb=round(peak_rss_mb()),
                  load_average=os.getloadavg()[0])
    con.close()
    if out:
        shutil.copyfile(db, out)
    print(json.dumps(result))


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--marts-child", *args], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rebuild(db: str, profile: bool = False) -> dict:
    """On copies of `db`: the full rebuild from empty marts, then the hourly case on its result (one new
    snapshot loaded, then build_marts), each in its own child process for its own peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copyfile(db, folder / "full.duckdb")
        full = _child("full", str(folder / "full.duckdb"), str(folder / "built.duckdb"), "")
        snap = snapshot_rows(db, folder / "snapshot.pickle")
        hourly = _child("hourly", str(folder / "built.duckdb"), "", str(folder / "snapshot.pickle"))
    return {"db": db, "gpu_prices_rows": full["gpu_prices_rows"], "supply_rows": full["supply_rows"],
            # build_marts_s / peak_rss_mb: the full rebuild (what bench/run_all.py reports)
            "build_marts_s": full["marts_s"], "full_cpu_s": full["marts_cpu_s"], "peak_rss_mb": full["peak_rss_mb"],
            "parts_s": full["parts_s"],
            "hourly": {**hourly, "snapshot": snap}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=200_000, help="Vast-shaped offers to load (0: skip)")
    parser.add_argument("--per-file", type=int, default=1000, help="offers per payload file (the connector's limit)")
    parser.add_argument("--marts", action="append", default=[], metavar="DB", help="rebuild every mart of DB")
    parser.add_argument("--profile", action="store_true", help="print each mart's seconds (full and hourly)")
    parser.add_argument("--json", help="write the figures to this JSON file")
    parser.add_argument("--marts-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.marts_child:
        kind, db, out, snapshot = args.marts_child
        marts_child(kind, db, out or None, snapshot or None)
        return
    result: dict = {}
    if args.offers:
        r = result["throughput"] = throughput(args.offers, args.per_file)
        p, d = r["project"], r["duckdb_read_json"]
        print(f"{r['files']} Vast-shaped files, {r['mb']:,.0f} MB, {p['offers']:,} offers (+{p['supply_rows']:,} supply rows)")
        print(f"project parse+validate+load: {p['total_s']:7.2f} s  {p['offers_per_s']:>10,} offers/s  "
              f"({p['rows_per_s']:,} rows/s with supply; read {p['read_s']:.2f}, parse {p['parse_s']:.2f}, "
              f"validate {p['validate_s']:.2f}, load {p['load_s']:.2f} s; CPU {p['cpu_s']:.2f} s: "
              f"{p['cpu_read_s']:.2f} / {p['cpu_parse_s']:.2f} / {p['cpu_validate_s']:.2f} / {p['cpu_load_s']:.2f})")
        print(f"DuckDB read_json + insert:   {d['total_s']:7.2f} s  {d['offers_per_s']:>10,} offers/s  "
              f"(CPU {d['cpu_s']:.2f} s, all threads)")
        print(f"project / DuckDB:            {r['ratio_to_duckdb']:7.1f}x  (peak RSS {peak_rss_mb():,.0f} MB)")
        r["peak_rss_mb"] = round(peak_rss_mb())
    if args.marts:
        result["marts"] = []
        for db in args.marts:
            m = rebuild(db, args.profile)
            result["marts"].append(m)
            h = m["hourly"]
            print(f"marts, {m['gpu_prices_rows']:,} price rows / {m['supply_rows']:,} supply rows:")
            print(f"  hourly run (load {h['snapshot']['vast_offers']:,} Vast offers + {h['snapshot']['tracker_rows']:,} "
                  f"tracker rows, then build_marts): marts {h['marts_s']:.2f} s ({h['marts_cpu_s']:.2f} CPU s), "
                  f"load {h['load_s']:.2f} s, peak RSS {h['peak_rss_mb']:,} MB, load average {h['load_average']:.1f}")
            print(f"  full rebuild from empty marts: {m['build_marts_s']:.1f} s ({m['full_cpu_s']:.1f} CPU s), "
                  f"peak RSS {m['peak_rss_mb']:,} MB")
            if args.profile:
                for label, parts in (("hourly", h["parts_s"]), ("full", m["parts_s"])):
                    slowest = sorted(parts.items(), key=lambda kv: -kv[1])[:8]
                    print(f"  {label} profile: " + ", ".join(f"{k} {v:.2f}s" for k, v in slowest))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
