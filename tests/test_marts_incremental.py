"""Incremental marts (etl/marts/state.py): snapshots loaded over several runs give exactly the marts a
from-scratch build of the same warehouse gives, and a rewritten old day is picked up."""

from __future__ import annotations

import collections
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from etl import sources, warehouse
from etl.marts import state

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 1, 6)
DAY = timedelta(days=1)


def vast_rows(t: datetime, n: int = 12, shift: float = 0.0) -> list[dict]:
    """n Vast offers at t (CCIR-qualifying: US, not rented, reliable, listed a day before), with supply."""
    rows = []
    for i in range(n):
        machine, host = f"m{i}", f"h{i % 4}"
        rows.append({"table": "gpu_prices", "observed_at": t, "provider": "vast", "segment": "marketplace",
                     "gpu_model": "H100 SXM" if i % 3 else "RTX 4090",
                     "gpu_model_raw": "H100 SXM" if i % 3 else "RTX 4090", "gpu_count": 1 + i % 2,
                     "price_usd_per_gpu_hour": 1.5 + 0.05 * i + shift + 0.01 * t.day, "price_type": "on_demand",
                     "region": "US" if i % 2 else "DE", "offer_id": f"o{i}-{t:%d%H}", "host_id": host,
                     "machine_id": machine, "geolocation": "Texas, US" if i % 2 else "Berlin, DE",
                     "rented": i % 5 == 0, "reliability": 0.95, "start_date": (t - DAY).timestamp(),
                     "gpu_frac": 1.0 / (1 + i % 2)})
        rows.append({"table": "supply", "observed_at": t, "network": "Vast.ai", "segment": "marketplace",
                     "gpu_model": "H100 SXM", "gpus_total": 1 + i % 2, "gpus_in_use": 0, "host_id": host,
                     "note": f"machine {machine}"})
    return rows


def list_rows(t: datetime, price: float) -> list[dict]:
    """cloud_gpus list prices (a source whose prices persist: price_since looks back over days)."""
    return [{"table": "gpu_prices", "observed_at": t, "provider": p, "segment": "neocloud", "gpu_model": "H100 SXM",
             "price_usd_per_gpu_hour": price + k, "price_type": "on_demand", "region": r}
            for k, (p, r) in enumerate([("lambda", None), ("coreweave", "us-east-1"), ("crusoe", "US")])]


def seed_rows(price: float) -> list[dict]:
    return [{"table": "gpu_prices", "observed_at": START + 2 * DAY, "provider": "aws", "segment": "hyperscaler",
             "gpu_model": "H100 SXM", "price_usd_per_gpu_hour": price, "price_type": "on_demand",
             "region": "us-east-1", "confidence": "secondary", "note": "observed_on from a page"}]


def load(con, name: str, rows: list[dict]) -> None:
    source = sources.SOURCES[name]
    warehouse.load(con, source, warehouse.validate(name, rows, default_segment=source.segment))


def marts_rows(con) -> dict[str, collections.Counter]:
    """Every marts table as a multiset of its rows."""
    out = {}
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                                "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall():
        out[table] = collections.Counter(con.execute(f"SELECT * FROM marts.{table}").fetchall())
    return out


def from_scratch(db: Path, tmp: Path) -> dict[str, collections.Counter]:
    """The marts of a copy of `db` rebuilt with no record of an earlier build."""
    copy = tmp / "scratch.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    state.forget(con)
    warehouse.build_marts(con)
    rows = marts_rows(con)
    con.close()
    return rows


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    warehouse.create_schema(con)
    warehouse.load_reference(con, ROOT / "data" / "seed")
    warehouse.register_sources(con, list(sources.SOURCES.values()))
    load(con, "seed", seed_rows(6.0))
    for d in range(8):  # the first run: eight days, two Vast snapshots a day, list prices every other day
        for hour in (0, 12):
            load(con, "vast", vast_rows(START + d * DAY + timedelta(hours=hour)))
        if d % 2 == 0:
            load(con, "cloud_gpus", list_rows(START + d * DAY, 2.0 if d < 4 else 2.5))
    warehouse.build_marts(con)
    yield path, con
    con.close()


def assert_same_as_scratch(path: Path, con, tmp: Path) -> dict:
    con.execute("CHECKPOINT")
    now = marts_rows(con)
    scratch = from_scratch(path, tmp)
    assert set(now) == set(scratch)
    for table in now:
        assert now[table] == scratch[table], table
    return now


def test_snapshots_loaded_over_several_runs_give_the_from_scratch_marts(db, tmp_path):
    path, con = db
    for run in range(3):  # hourly runs: a new snapshot each, one of them on a new day
        t = START + 7 * DAY + timedelta(hours=14 + 5 * run)
        load(con, "vast", vast_rows(t, shift=0.1 * run))
        load(con, "cloud_gpus", list_rows(t, 2.5 + 0.5 * (run == 2)))
        warehouse.build_marts(con)
    marts = assert_same_as_scratch(path, con, tmp_path)
    assert sum(marts["price_index"].values()) > 0 and sum(marts["concentration"].values()) > 0
    methods = {r[5] for r in marts["price_index"]}
    assert methods == {"cw-1.0.0", "ccir-cri-1.1.1"}


def test_a_new_snapshot_rebuilds_only_its_day(db):
    path, con = db
    t = START + 9 * DAY
    load(con, "vast", vast_rows(t))
    current = state.fingerprints(con, "gpu_prices")
    version = con.execute("SELECT version FROM meta.mart_versions WHERE mart = 'concentration'").fetchall()[0][0]
    plan = state.plan(con, "concentration", current[current["source"] == "vast"], version,
                      ("marts.concentration",))
    assert not plan.full and plan.days == [t.date()]


def lambda_since(con, day) -> list:
    return con.execute("SELECT DISTINCT price_since FROM marts.price_units WHERE provider = 'lambda' AND day = ?",
                       [day.date()]).fetchall()


def test_a_rewritten_old_day_is_picked_up(db, tmp_path):
    path, con = db
    old = con.execute("SELECT median FROM marts.price_index WHERE day = ? AND segment = 'hyperscaler' "
                      "AND geo = 'all' AND method = 'cw-1.0.0'", [(START + 2 * DAY).date()]).fetchall()
    before = lambda_since(con, START + 6 * DAY)
    load(con, "seed", seed_rows(9.0))  # a replace-load source rewrites an old day's price
    load(con, "cloud_gpus", list_rows(START + 4 * DAY, 2.0))  # a backfill: day 4's list price was still 2.0
    warehouse.build_marts(con)
    new = con.execute("SELECT median FROM marts.price_index WHERE day = ? AND segment = 'hyperscaler' "
                      "AND geo = 'all' AND method = 'cw-1.0.0'", [(START + 2 * DAY).date()]).fetchall()
    assert old == [(6.0,)] and new == [(9.0,)]
    # day 6's rows did not change, but its list price (2.5) now dates from day 6, not day 4
    assert before == [((START + 4 * DAY).date(),)]
    assert lambda_since(con, START + 6 * DAY) == [((START + 6 * DAY).date(),)]
    assert_same_as_scratch(path, con, tmp_path)


def test_an_emptied_day_leaves_the_marts(db, tmp_path):
    path, con = db
    day = (START + 5 * DAY).date()
    con.execute("DELETE FROM core.gpu_prices WHERE CAST(observed_at AS DATE) = ?", [day])
    warehouse.build_marts(con)
    for table, column in (("price_units", "day"), ("gpu_prices_daily", "day"), ("concentration", "period")):
        assert con.execute(f"SELECT count(*) FROM marts.{table} WHERE {column} = ?", [day]).fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM marts.price_index WHERE day = ? AND method = 'cw-1.0.0'",
                       [day]).fetchall()[0][0] == 0
    assert_same_as_scratch(path, con, tmp_path)


def test_host_capacity_from_duckdb_machine_counts_is_the_pure_rule():
    """MACHINES_SQL + host_capacities (per-machine GPUs aggregated in DuckDB) = etl.concentration.host_capacity."""
    import random

    from etl import concentration as c
    from etl.marts import concentration as mart

    rng = random.Random(4)
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    offers = []
    for _ in range(400):
        day = START + rng.randrange(3) * DAY + timedelta(hours=rng.randrange(24))
        machine = f"m{rng.randrange(60)}"
        num = rng.choice([None, 0, 1, 2, 4, 8, 1, 1])
        frac = rng.choice([None, 1.0, 0.5, 0.25, 0.4, 0.125, 1.5, 0.0])  # 1 / 0.4 = 2.5: banker's rounding
        model = rng.choice(["H100 SXM", "RTX 4090"])
        capped = rng.random() < 0.05
        host = f"h{int(machine[1:]) % 7}"  # a machine stays on one host
        con.execute("INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, "
                    "price_usd_per_gpu_hour, price_type, machine_id, host_id, gpu_count, gpu_frac, query_capped) "
                    "VALUES (?, 'vast', 'vast', 'marketplace', ?, 1.0, 'on_demand', ?, ?, ?, ?, ?)",
                    [day, model, machine, host, num, frac, capped])
        offers.append(c.MachineOffer(day.date(), model, machine, host, None if num is None else float(num), frac,
                                     capped))
    days = sorted({o.day for o in offers})
    frame = con.execute(mart.MACHINES_SQL, ["vast", START - DAY, START + 4 * DAY, days]).df()
    got = [(str(pd_day(x.day)), x.gpu_model, x.hosts, x.machines, x.capped) for x in mart.host_capacities(frame)]
    want = [(str(x.day), x.gpu_model, x.hosts, x.machines, x.capped) for x in c.host_capacity(offers)]
    assert got == want and len(want) == 8  # 4 days x 2 models


def pd_day(value):
    import pandas as pd

    return pd.Timestamp(value).date()
