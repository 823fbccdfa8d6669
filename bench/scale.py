"""Scale benchmark: synthetic years of marketplace snapshots -> load, marts build, page-query latency, size."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from etl import pipeline, warehouse  # noqa: E402

MODELS = ["H100 SXM", "H100 PCIe", "H200", "A100 80GB", "L40S", "RTX 4090", "V100", "B200"]
SEGMENTS = ["hyperscaler", "neocloud", "marketplace", "depin"]

DASHBOARD_SQL = ROOT / "dashboard" / "data" / "sql"
FIRST, LAST = date(2024, 1, 1), date(2025, 12, 31)  # the synthetic days fall in this span
# Queries the pages run, timed on the big warehouse: the GPU prices page's own SQL files with the
# parameters of its default view, and the other pages' shapes.
PAGE_QUERIES = {
    "price index, H100 SXM, all days": (
        (DASHBOARD_SQL / "prices_index.sql").read_text(encoding="utf-8"),
        ["H100 SXM", "on_demand", "all", "cw-1.0.0", FIRST, LAST]),
    "voting units (headlines, ladder), H100 SXM": (
        (DASHBOARD_SQL / "prices_units.sql").read_text(encoding="utf-8"), ["H100 SXM"]),
    "supply and utilisation by day": (
        "SELECT day, source, sum(gpus_total), sum(gpus_in_use) FROM marts.supply_daily GROUP BY ALL", []),
    "concentration over time": ("SELECT * FROM marts.concentration ORDER BY market, period", []),
    "sources status": ("SELECT * FROM marts.sources_status", []),
}


def synthesise(con, days: int, snapshots_per_day: int, offers: int, hosts: int) -> int:
    """Insert marketplace-like offers (prices and per-host supply) straight into core tables."""
    n_snap = days * snapshots_per_day
    con.execute(f"""
        INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, gpu_model_raw, gpu_count,
                                     price_usd_per_gpu_hour, price_type, region, offer_id, host_id, machine_id, rented)
        SELECT TIMESTAMP '2024-01-01' + to_hours(CAST(s * 24 / {snapshots_per_day} AS INTEGER)) AS observed_at,
               'synthetic', 'provider_' || (o % 40), (['hyperscaler','neocloud','marketplace','depin'])[1 + o % 4],
               (['{"','".join(MODELS)}'])[1 + o % {len(MODELS)}], NULL, 1 + (o % 8),
               0.2 + (o % 97) / 20.0 + random() * 0.3, CASE WHEN o % 5 = 0 THEN 'spot' ELSE 'on_demand' END,
               'r' || (o % 12), CAST(o AS VARCHAR), CAST(o % {hosts} AS VARCHAR), CAST(o AS VARCHAR), random() < 0.6
        FROM range({n_snap}) t(s), range({offers}) u(o)
    """)
    con.execute(f"""
        INSERT INTO core.supply (observed_at, source, network, segment, gpu_model, gpus_total, gpus_in_use, host_id)
        SELECT TIMESTAMP '2024-01-01' + to_hours(CAST(s * 24 / {snapshots_per_day} AS INTEGER)), 'synthetic',
               'Synthetic', 'marketplace', NULL, 1 + (h % 8), (1 + (h % 8)) * (random() < 0.6)::INT, CAST(h AS VARCHAR)
        FROM range({n_snap}) t(s), range({hosts}) u(h)
    """)
    return n_snap * offers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--snapshots-per-day", type=int, default=4)
    parser.add_argument("--offers", type=int, default=2000, help="offers per snapshot")
    parser.add_argument("--hosts", type=int, default=600)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMPUTEWATCH_DATA_DIR"] = tmp
        pipeline.run(mode="offline", log=open(os.devnull, "w"))  # schema + seed + marts
        db = str(Path(tmp) / "warehouse.duckdb")
        con = duckdb.connect(db)
        t0 = time.perf_counter()
        rows = synthesise(con, args.days, args.snapshots_per_day, args.offers, args.hosts)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        warehouse.build_marts(con)
        marts_s = time.perf_counter() - t0
        con.execute("CHECKPOINT")
        con.close()
        size_mb = os.path.getsize(db) / 1e6

        reader = duckdb.connect(db, read_only=True)
        timings = {}
        for name, (sql, params) in PAGE_QUERIES.items():
            best = float("inf")
            for _ in range(5):
                t0 = time.perf_counter()
                reader.execute(sql, params).fetchall()
                best = min(best, time.perf_counter() - t0)
            timings[name] = best
        mart_rows = reader.execute("SELECT count(*) FROM marts.price_index").fetchone()[0]
        reader.close()

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"synthetic offers: {rows:,} gpu_prices rows ({args.days} days x {args.snapshots_per_day} snapshots x "
          f"{args.offers} offers), {args.days * args.snapshots_per_day * args.hosts:,} supply rows")
    print(f"insert into core:      {load_s:8.2f} s  ({rows / load_s:,.0f} rows/s)")
    print(f"rebuild all marts:     {marts_s:8.2f} s  (marts.price_index: {mart_rows:,} rows)")
    print(f"warehouse file:        {size_mb:8.1f} MB")
    print(f"peak RSS:              {rss_mb:8.0f} MB")
    for name, seconds in timings.items():
        print(f"query {name:<34} {seconds * 1000:8.1f} ms (best of 5)")


if __name__ == "__main__":
    main()
