"""A realistic synthetic warehouse at scale, built through the real load path (validate, load, marts, publish).

    python bench/make_warehouse.py --rows 10000000            # where COMPUTEWATCH_DB points, else a temp path
    python bench/make_warehouse.py --rows 20000 --stale vast  # vast's last success older than its cadence

Base: the seed plus every replayed capture (../shared/captures), loaded by etl.pipeline exactly as
`python -m etl run --replay` does; without captures, the seed alone and tests/fixtures/vast_offers.json.
On top, `--rows` synthetic gpu_prices rows over `--days` days ending at `--end` (default now, UTC):

- 90 % Vast.ai-like marketplace offers, `--snapshots-per-day` snapshots a day. Every offer is a real
  captured offer (its GPU model, GPU count, country, reliability, host and machine) replicated onto
  a host pool scaled to the row count, so the host-size distribution (hence host HHI) keeps the
  captures' shape; the price is the captured price x a per-model drift (older days dearer) x
  lognormal noise; offers come and go as a rolling window over the pool; one supply row per
  machine per snapshot (its GPUs and whether they are rented), i.e. two years of daily supply.
- 10 % multi-provider neocloud prices shaped like gpu_price_tracker: per provider x GPU model, the
  captured median and log-spread of that provider's prices, every 4 hours.

Rows go through etl.warehouse.validate and etl.warehouse.load (the same functions a source's run
calls), in batches of a few snapshots; then etl.warehouse.build_marts and publish. meta.runs gets one
"ok" run per loaded source at --end, as a maintained warehouse would have; `--stale NAME` dates that
source's last success cadence + 1 day before --end instead (the stale banner's case).
Prints load and marts seconds, rows/s and peak RSS; `--json FILE` writes them for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CAPTURES = ROOT.parent / "shared" / "captures"
FIXTURE_OFFERS = ROOT / "tests" / "fixtures" / "vast_offers.json"
MARKETPLACE_SHARE = 0.9
TRACKER_SNAPSHOTS_PER_DAY = 6  # the tracker's summaries come about every 4 hours
DRIFT_PER_YEAR = {"H100 SXM": 0.35, "H100 PCIe": 0.3, "H200": 0.25, "A100 80GB": 0.2, "A100 40GB": 0.2}
DEFAULT_DRIFT = 0.15  # log-price fall per year of a model not listed: GPUs get cheaper as they age
NOISE = 0.08  # log-sd of one offer's price around its template (marketplace repricing)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- templates from captures

def vast_payloads(captures: Path | None):
    """The Vast.ai offer payloads to draw from: every capture, else the hand-made test fixture."""
    from etl import pipeline, sources
    from etl.provenance import Payload

    module = sources.get("vast")
    if captures is not None and captures.is_dir():
        found = pipeline.replay_payloads(module, captures)
        if found:
            return found
    return [Payload.from_file(FIXTURE_OFFERS)]


def raw_offers(captures: Path | None) -> list[dict]:
    """Captured Vast.ai offers as the API returned them (all their fields), for Vast-shaped payloads."""
    offers = []
    for payload in vast_payloads(captures):
        doc = payload.json("vast")
        offers.extend(o for o in doc.get("offers", []) if isinstance(o, dict))
    return offers


@dataclass
class Marketplace:
    """Captured Vast.ai offers parsed by etl.sources.vast: the rows synthetic offers are copies of."""

    rows: list[dict]  # parsed gpu_prices rows with a positive price and a machine
    machine: np.ndarray  # index of each row's machine in `machines`
    machines: list[str]
    rented_rate: dict[str, float]  # share of a model's offers rented in the captures


def marketplace_templates(captures: Path | None) -> Marketplace:
    from etl import sources, warehouse

    module = sources.get("vast")
    rows = []
    for payload in vast_payloads(captures):
        data = warehouse.validate("vast", module.parse(payload), default_segment="marketplace")
        rows.extend(r for r in data.rows["gpu_prices"] if r["machine_id"])
    # One copy per (offer id), the latest seen: the captures repeat offers across days.
    rows = list({r["offer_id"]: r for r in rows}.values())
    machines = sorted({r["machine_id"] for r in rows})
    index = {m: i for i, m in enumerate(machines)}
    by_model: dict[str, list[bool]] = {}
    for r in rows:
        by_model.setdefault(r["gpu_model"], []).append(bool(r["rented"]))
    return Marketplace(rows, np.array([index[r["machine_id"]] for r in rows]), machines,
                       {m: float(np.mean(v)) for m, v in by_model.items()})


def tracker_templates(con) -> list[dict]:
    """Per provider x GPU model: the median and log-spread of that provider's captured prices."""
    frame = con.execute("""
        SELECT provider, segment, gpu_model, median(price_usd_per_gpu_hour) AS median,
               coalesce(stddev_samp(ln(price_usd_per_gpu_hour)), 0.05) AS log_sd, count(*) AS n
        FROM core.gpu_prices WHERE source = 'gpu_price_tracker' GROUP BY ALL ORDER BY ALL
    """).df()
    if frame.empty:  # no captures: the seed's neocloud and hyperscaler list prices stand in
        frame = con.execute("""
            SELECT provider, segment, gpu_model, median(price_usd_per_gpu_hour) AS median, 0.05 AS log_sd,
                   count(*) AS n
            FROM core.gpu_prices WHERE source = 'seed' AND segment IN ('neocloud', 'hyperscaler') GROUP BY ALL
        """).df()
    return frame.to_dict("records")


# --------------------------------------------------------------------------- synthetic snapshots

def snapshot_times(end: datetime, days: int, per_day: int) -> list[datetime]:
    """Evenly spaced snapshot times over `days` days ending at `end`, off the captures' midnight stamps."""
    step = timedelta(hours=24 / per_day)
    first = end - timedelta(days=days) + step
    return [first + i * step for i in range(days * per_day)]


def drift(model: str | None, t: datetime, end: datetime) -> float:
    years = (end - t).total_seconds() / (365.25 * 86400)
    return float(np.exp(DRIFT_PER_YEAR.get(model or "", DEFAULT_DRIFT) * years))


class OfferPool:
    """Synthetic offers: each template offer copied `copies` times onto distinct synthetic machines/hosts."""

    def __init__(self, market: Marketplace, per_snapshot: int, seed: int = 7):
        self.market = market
        n_templates = len(market.rows)
        # A pool a fifth larger than one snapshot: offers leave and enter as the window moves on.
        self.size = max(int(per_snapshot * 1.2), 1)
        self.copies = -(-self.size // n_templates)
        self.per_snapshot = min(per_snapshot, self.size)
        rng = np.random.default_rng(seed)
        self.template = np.arange(self.size) % n_templates
        self.copy = np.arange(self.size) // n_templates
        self.order = rng.permutation(self.size)  # which offers are listed together
        self.rng = rng

    def snapshot(self, k: int, t: datetime, end: datetime) -> tuple[list[dict], list[dict]]:
        """The gpu_prices rows (as a parser yields them) and one supply row per machine at snapshot k."""
        m = self.market
        start = (k * max(self.size // 200, 1)) % self.size  # the window moves 0.5 % of the pool a snapshot
        picked = self.order[(start + np.arange(self.per_snapshot)) % self.size]
        noise = np.exp(self.rng.normal(0.0, NOISE, len(picked)))
        draw = self.rng.random(len(picked))
        prices, supply = [], {}
        for i, j in enumerate(picked.tolist()):
            row = m.rows[self.template[j]]
            copy = int(self.copy[j])
            suffix = f"-{copy}" if copy else ""
            rented = bool(draw[i] < m.rented_rate.get(row["gpu_model"], 0.5))
            machine = f"{row['machine_id']}{suffix}"
            host = f"{row['host_id']}{suffix}"
            price = row["price_usd_per_gpu_hour"] * drift(row["gpu_model"], t, end) * float(noise[i])
            prices.append({
                "table": "gpu_prices", "observed_at": t, "provider": "vast", "segment": "marketplace",
                "gpu_model": row["gpu_model"], "gpu_model_raw": row["gpu_model_raw"], "gpu_count": row["gpu_count"],
                "price_usd_per_gpu_hour": min(price, 150.0), "price_type": row["price_type"],
                "region": row["region"], "offer_id": f"{row['offer_id']}{suffix}", "host_id": host,
                "machine_id": machine, "geolocation": row["geolocation"], "rented": rented,
                "reliability": row["reliability"],
            })
            count = row["gpu_count"] or 0
            known = supply.get(machine)
            if known is None or count > known["gpus_total"]:  # as etl.sources.vast: a machine's largest offer
                supply[machine] = {
                    "table": "supply", "observed_at": t, "network": "Vast.ai", "segment": "marketplace",
                    "gpu_model": row["gpu_model"], "gpu_model_raw": row["gpu_model_raw"], "gpus_total": count,
                    "gpus_in_use": count if rented else 0, "host_id": host, "region": row["region"],
                    "note": f"machine {machine}",
                }
        return prices, list(supply.values())


def tracker_snapshot(templates: list[dict], per_snapshot: int, t: datetime, end: datetime, rng) -> list[dict]:
    """`per_snapshot` gpu_price_tracker-shaped rows at time t, spread over the provider x model templates."""
    rows = []
    n = len(templates)
    for i in range(per_snapshot):
        tpl = templates[i % n]
        price = tpl["median"] * drift(tpl["gpu_model"], t, end) * float(np.exp(rng.normal(0.0, tpl["log_sd"] or 0.05)))
        rows.append({
            "table": "gpu_prices", "observed_at": t, "provider": tpl["provider"], "segment": tpl["segment"],
            "gpu_model": tpl["gpu_model"], "gpu_model_raw": tpl["gpu_model"], "gpu_count": None,
            "price_usd_per_gpu_hour": min(price, 150.0), "price_type": "on_demand",
            "note": "synthetic (bench/make_warehouse.py)",
        })
    return rows


# --------------------------------------------------------------------------- build

def build_base(db: str, captures: Path | None, work: Path) -> None:
    """Seed plus replayed captures, published at `db` by the pipeline itself."""
    from etl import config, pipeline, sources

    quiet = open(os.devnull, "w")
    with config.environ(COMPUTEWATCH_DB=db, COMPUTEWATCH_DATA_DIR=str(work), COMPUTEWATCH_RAW_DIR=str(work / "raw")):
        pipeline.run(mode="offline", log=quiet)
        if captures is not None and captures.is_dir():
            names = [n for n, s in sources.SOURCES.items() if s.captures and n != "seed"]
            pipeline.run(names, mode="replay", replay_dir=captures, log=quiet)


def mark_runs(con, end: datetime, stale: list[str]) -> None:
    """One ok run per source that has data, as of `end`; a `stale` source's is cadence + 1 day older."""
    from etl import sources, warehouse

    loaded = {r[0] for r in con.execute("SELECT DISTINCT source FROM meta.runs WHERE status = 'ok'").fetchall()}
    for name in sorted(loaded | set(stale)):
        source = sources.SOURCES[name]
        as_of = end - timedelta(hours=source.cadence_hours + 24) if name in stale else end
        warehouse.record_run(con, f"synthetic-{end:%Y%m%dT%H%M%SZ}", name, "synthetic", as_of, as_of,
                             status="ok", rows_loaded=0, rows_rejected=0, payloads=0, data_as_of=as_of,
                             error=None)


def make(db: str, rows: int, *, days: int = 730, per_day: int = 4, end: datetime | None = None,
         stale: list[str] = (), captures: Path | None = CAPTURES, batch_rows: int = 50_000,
         log=sys.stdout) -> dict:
    """Build the warehouse at `db`; returns the measurements."""
    from etl import sources, warehouse

    end = (end or datetime.now(UTC)).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    unknown = set(stale) - set(sources.SOURCES)
    if unknown:
        raise SystemExit(f"unknown --stale source(s): {sorted(unknown)}")
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        build_base(db, captures, Path(tmp))
    base_s = time.perf_counter() - t_start

    market = marketplace_templates(captures)
    con = warehouse.open_build(db, fresh=False)
    tracker = tracker_templates(con)
    times = snapshot_times(end, days, per_day)
    market_rows = int(rows * MARKETPLACE_SHARE)
    pool = OfferPool(market, max(market_rows // len(times), 1))
    tracker_times = snapshot_times(end, days, TRACKER_SNAPSHOTS_PER_DAY)
    tracker_per = (rows - market_rows) // len(tracker_times)
    rng = np.random.default_rng(11)
    vast, tracker_source = sources.SOURCES["vast"], sources.SOURCES["gpu_price_tracker"]
    stale_at = {name: end - timedelta(hours=sources.SOURCES[name].cadence_hours + 24) for name in stale}

    counts = {"gpu_prices": 0, "supply": 0, "rejected": 0}
    timing = {"generate": 0.0, "validate": 0.0, "load": 0.0}

    def flush(source, batch):
        if not batch:
            return
        t0 = time.perf_counter()
        data = warehouse.validate(source.name, batch, default_segment=source.segment)
        t1 = time.perf_counter()
        warehouse.load(con, source, data)
        timing["validate"] += t1 - t0
        timing["load"] += time.perf_counter() - t1
        counts["gpu_prices"] += data.count("gpu_prices")
        counts["supply"] += data.count("supply")
        counts["rejected"] += len(data.rejects)

    t_load = time.perf_counter()
    last_report = t_load
    for name, stream in (("vast", times), ("gpu_price_tracker", tracker_times)):
        source = vast if name == "vast" else tracker_source
        if name == "gpu_price_tracker" and (not tracker or tracker_per == 0):
            continue
        batch: list[dict] = []
        for k, t in enumerate(stream):
            if name in stale_at and t > stale_at[name]:
                break  # a stale source stopped delivering
            t0 = time.perf_counter()
            if name == "vast":
                prices, supply = pool.snapshot(k, t, end)
                batch += prices
                batch += supply
            else:
                batch += tracker_snapshot(tracker, tracker_per, t, end, rng)
            timing["generate"] += time.perf_counter() - t0
            if len(batch) >= batch_rows:
                flush(source, batch)
                batch = []
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                done = counts["gpu_prices"]
                print(f"  ... {done:,} price rows loaded, {done / (last_report - t_load):,.0f} rows/s, "
                      f"peak RSS {peak_rss_mb():,.0f} MB", file=log, flush=True)
        flush(source, batch)
    mark_runs(con, end, list(stale))
    load_s = time.perf_counter() - t_load

    t0 = time.perf_counter()
    warehouse.build_marts(con)
    marts_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warehouse.publish(con, db, f"synthetic-{rows}-{end:%Y%m%dT%H%M%SZ}")
    publish_s = time.perf_counter() - t0
    result = {
        "db": db, "rows_requested": rows, "days": days, "snapshots_per_day": per_day, "end": end.isoformat(),
        "stale": list(stale), "templates_from": "captures" if captures and captures.is_dir() else "fixture",
        "synthetic_price_rows": counts["gpu_prices"], "synthetic_supply_rows": counts["supply"],
        "rejected": counts["rejected"], "base_s": round(base_s, 2), "load_s": round(load_s, 2),
        "generate_s": round(timing["generate"], 2), "validate_s": round(timing["validate"], 2),
        "load_into_duckdb_s": round(timing["load"], 2),
        "validate_load_rows_per_s": round((counts["gpu_prices"] + counts["supply"])
                                          / max(timing["validate"] + timing["load"], 1e-9)),
        "marts_s": round(marts_s, 2), "publish_s": round(publish_s, 2),
        "total_s": round(time.perf_counter() - t_start, 2), "peak_rss_mb": round(peak_rss_mb()),
        "file_mb": round(os.path.getsize(db) / 1e6, 1),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic gpu_prices rows (up to 10M)")
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--snapshots-per-day", type=int, default=4)
    parser.add_argument("--end", help="last snapshot, ISO UTC (default: now)")
    parser.add_argument("--stale", action="append", default=[], metavar="SOURCE",
                        help="make SOURCE's last success older than its cadence (repeatable)")
    parser.add_argument("--no-captures", action="store_true", help="seed and test fixture only")
    parser.add_argument("--json", help="also write the measurements to this JSON file")
    args = parser.parse_args()
    db = os.environ.get("COMPUTEWATCH_DB") or str(Path(tempfile.mkdtemp(prefix="computewatch-bench-"))
                                                  / "warehouse.duckdb")
    print(f"building {db} ({args.rows:,} synthetic price rows, {args.days} days)", flush=True)
    end = datetime.fromisoformat(args.end) if args.end else None
    result = make(db, args.rows, days=args.days, per_day=args.snapshots_per_day, end=end, stale=args.stale,
                  captures=None if args.no_captures else CAPTURES)
    print(f"warehouse:          {db} ({result['file_mb']:,.0f} MB)")
    print(f"price / supply rows {result['synthetic_price_rows']:,} / {result['synthetic_supply_rows']:,} synthetic "
          f"({result['rejected']:,} rejected), templates from {result['templates_from']}")
    print(f"seed + replay:      {result['base_s']:8.1f} s")
    print(f"generate:           {result['generate_s']:8.1f} s")
    print(f"validate:           {result['validate_s']:8.1f} s")
    print(f"load into DuckDB:   {result['load_into_duckdb_s']:8.1f} s  "
          f"(validate + load {result['validate_load_rows_per_s']:,} rows/s)")
    print(f"rebuild all marts:  {result['marts_s']:8.1f} s")
    print(f"publish:            {result['publish_s']:8.1f} s")
    print(f"total:              {result['total_s']:8.1f} s")
    print(f"peak RSS:           {result['peak_rss_mb']:8,} MB")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
