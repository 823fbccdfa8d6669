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

Marts: each warehouse is copied to a temporary file and every mart rebuilt there by
etl.warehouse.build_marts, in a child process so that its peak RSS is the rebuild's alone; the
seconds of each SQL file and Python mart are printed too (the profile of the rebuild).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
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
    """parse -> validate -> load, each timed, one snapshot's files at a time as a run loads them."""
    from etl import sources, warehouse
    from etl.provenance import Payload

    module = sources.get("vast")
    con = empty_warehouse(db)
    t = {"read": 0.0, "parse": 0.0, "validate": 0.0, "load": 0.0}
    prices = supply = 0
    cpu0 = time.process_time()
    for files in snapshots:
        t0 = time.perf_counter()
        payloads = [Payload.from_file(path) for path in files]
        t1 = time.perf_counter()
        rows = [row for payload in payloads for row in module.parse(payload)]
        t2 = time.perf_counter()
        data = warehouse.validate("vast", rows, default_segment="marketplace")
        t3 = time.perf_counter()
        warehouse.load(con, module.SOURCE, data)
        t4 = time.perf_counter()
        t["read"] += t1 - t0
        t["parse"] += t2 - t1
        t["validate"] += t3 - t2
        t["load"] += t4 - t3
        prices += data.count("gpu_prices")
        supply += data.count("supply")
    cpu = time.process_time() - cpu0
    con.close()
    total = sum(t.values())
    return {"offers": prices, "supply_rows": supply, **{f"{k}_s": round(v, 3) for k, v in t.items()},
            "total_s": round(total, 3), "cpu_s": round(cpu, 3), "offers_per_s": round(prices / total),
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
            "ratio_to_duckdb": round(ours["total_s"] / floor["total_s"], 1)}


# --------------------------------------------------------------------------- marts

def rebuild_child(db: str, profile: bool) -> None:
    """In the child: rebuild every mart of a copy of `db` (with `profile`, first once more timing each
    mart apart); print one JSON line."""
    import duckdb

    from etl import warehouse

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(db, copy)
        con = duckdb.connect(str(copy))
        rows = con.execute("SELECT count(*) FROM core.gpu_prices").fetchone()[0]
        supply = con.execute("SELECT count(*) FROM core.supply").fetchone()[0]
        parts: dict[str, float] = {}
        parts_s = None
        if profile:
            parts_s = profile_parts(con, parts)
        con.close()
        # The rebuild through the one entry point the pipeline calls, on a fresh copy.
        shutil.copyfile(db, copy)
        con = duckdb.connect(str(copy))
        t0 = time.perf_counter()
        warehouse.build_marts(con)
        build_s = time.perf_counter() - t0
        con.close()
    print(json.dumps({"db": db, "gpu_prices_rows": rows, "supply_rows": supply, "build_marts_s": round(build_s, 2),
                      "parts_total_s": parts_s, "parts_s": parts, "peak_rss_mb": round(peak_rss_mb())}))


def profile_parts(con, parts: dict[str, float]) -> float:
    """Each mart's seconds, run in build_marts' order (SQL files by name, then Python marts)."""
    from etl import warehouse

    t_all = time.perf_counter()
    for path in sorted((warehouse.SQL_DIR / "marts").glob("*.sql")):  # as build_marts runs them
        t0 = time.perf_counter()
        con.execute(path.read_text(encoding="utf-8"))
        parts[f"sql/{path.stem}"] = round(time.perf_counter() - t0, 3)
    import etl.marts as marts_pkg

    for info in sorted(pkgutil.iter_modules(marts_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"etl.marts.{info.name}")
        if hasattr(module, "build"):
            t0 = time.perf_counter()
            module.build(con)
            parts[f"python/{info.name}"] = round(time.perf_counter() - t0, 3)
    return round(time.perf_counter() - t_all, 2)


def rebuild(db: str, profile: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--rebuild-child", db] + (["--profile"] if profile else []), capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=200_000, help="Vast-shaped offers to load (0: skip)")
    parser.add_argument("--per-file", type=int, default=1000, help="offers per payload file (the connector's limit)")
    parser.add_argument("--marts", action="append", default=[], metavar="DB", help="rebuild every mart of DB")
    parser.add_argument("--profile", action="store_true", help="also time each mart apart (one more rebuild)")
    parser.add_argument("--json", help="write the figures to this JSON file")
    parser.add_argument("--rebuild-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rebuild_child:
        rebuild_child(args.rebuild_child, args.profile)
        return
    result: dict = {}
    if args.offers:
        r = result["throughput"] = throughput(args.offers, args.per_file)
        p, d = r["project"], r["duckdb_read_json"]
        print(f"{r['files']} Vast-shaped files, {r['mb']:,.0f} MB, {p['offers']:,} offers (+{p['supply_rows']:,} supply rows)")
        print(f"project parse+validate+load: {p['total_s']:7.2f} s  {p['offers_per_s']:>10,} offers/s  "
              f"({p['rows_per_s']:,} rows/s with supply; read {p['read_s']:.2f}, parse {p['parse_s']:.2f}, "
              f"validate {p['validate_s']:.2f}, load {p['load_s']:.2f} s; CPU {p['cpu_s']:.2f} s)")
        print(f"DuckDB read_json + insert:   {d['total_s']:7.2f} s  {d['offers_per_s']:>10,} offers/s  "
              f"(CPU {d['cpu_s']:.2f} s, all threads)")
        print(f"project / DuckDB:            {r['ratio_to_duckdb']:7.1f}x  (peak RSS {peak_rss_mb():,.0f} MB)")
        r["peak_rss_mb"] = round(peak_rss_mb())
    if args.marts:
        result["marts"] = []
        for db in args.marts:
            m = rebuild(db, args.profile)
            result["marts"].append(m)
            slowest = sorted(m["parts_s"].items(), key=lambda kv: -kv[1])[:6]
            print(f"marts rebuild, {m['gpu_prices_rows']:,} price rows / {m['supply_rows']:,} supply rows: "
                  f"{m['build_marts_s']:.1f} s, peak RSS {m['peak_rss_mb']:,} MB"
                  + ("; slowest: " + ", ".join(f"{k} {v:.1f}s" for k, v in slowest) if slowest else ""))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
