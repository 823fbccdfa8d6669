"""The price marts (etl/marts/prices.py) on tiny hand-built warehouses, the page's pure price model, and, on
the replayed captures, the CCIR reproduction and the segment headlines read from the marts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard.model import prices as ps
from dashboard.model import sources as ms
from etl import price_method as pm
from etl import warehouse

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "dashboard" / "data" / "sql"
D1, D2 = dt.date(2026, 11, 20), dt.date(2026, 11, 21)
CONTRACT = ["day", "gpu_model", "segment", "price_type", "geo", "method", "n", "n_providers", "median", "p25",
            "p75", "low_confidence"]  # what the Scenarios page (branch wip-scen) reads

# (day, source, provider, segment, gpu_model, price, price_type, region, machine_id, confidence, date_precision)
PRICES = [
    (D1, "aws_ec2", "aws", "hyperscaler", "H100 SXM", 6.0, "on_demand", "us-east-1", None, None, None),
    (D1, "cloud_gpus", "aws", "hyperscaler", "H100 SXM", 9.0, "on_demand", "us-east-1", None, None, None),
    (D1, "gcp_compute", "gcp", "hyperscaler", "H100 SXM", 10.0, "on_demand", "US", None, None, None),
    (D1, "azure_retail_prices", "azure", "hyperscaler", "H100 SXM", 12.0, "on_demand", "eastus", None, None, None),
    (D1, "cloud_gpus", "lambda", "neocloud", "H100 SXM", 3.0, "on_demand", None, None, None, None),
    (D1, "cloud_gpus", "lambda", "neocloud", "H100 SXM", 1.0, "spot", None, None, None, None),
    # one Vast machine listed as 1- and 2-GPU slices counts once (the median of its offers) ...
    (D1, "vast", "vast", "marketplace", "H100 SXM", 1.0, "on_demand", "US", "m1", None, None),
    (D1, "vast", "vast", "marketplace", "H100 SXM", 2.0, "on_demand", "US", "m1", None, None),
    (D1, "vast", "vast", "marketplace", "H100 SXM", 2.0, "on_demand", "DE", "m2", None, None),
    # ... and a tertiary seed row and a year-dated seed row never count
    (D1, "seed", "akash", "depin", "H100 SXM", 1.85, "on_demand", None, None, "tertiary", "day"),
    (D2, "seed", "akash", "depin", "H100 SXM", 1.20, "on_demand", None, None, "secondary", "year"),
]


def _con(prices=PRICES, indicators=()) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    warehouse.load_reference(con, ROOT / "data" / "seed")
    con.executemany(
        "INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, price_usd_per_gpu_hour, "
        "price_type, region, machine_id, confidence, date_precision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [list(r) for r in prices])
    if indicators:
        con.executemany("INSERT INTO core.indicators (period, indicator, entity, value, unit, source) VALUES "
                        "(?, 'published_price_index', ?, ?, 'USD per GPU-hour', ?)", [list(r) for r in indicators])
    warehouse.build_marts(con, only={"price_index", "gpu_h100e"})
    return con


def _rows(con, **where) -> pd.DataFrame:
    frame = con.execute("SELECT * FROM marts.price_index").df()
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    for k, v in where.items():
        frame = frame[frame[k] == v]
    return frame.reset_index(drop=True)


def test_price_index_has_the_contract_columns_and_the_method_names():
    con = _con()
    columns = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                         "table_schema = 'marts' AND table_name = 'price_index' ORDER BY ordinal_position").fetchall()]
    assert columns[:len(CONTRACT)] == CONTRACT and "reason" in columns and "sources" in columns
    assert set(_rows(con)["method"]) == {"cw-1.0.0"}  # no Vast offers with start_date: no CCIR rows
    # the Scenarios page's query: one on-demand global cw row per segment and day
    sql = (QUERIES / "scenarios_baseline_prices.sql").read_text()
    base = con.execute(sql, ["H100 SXM", "cw-1.0.0", "all", "on_demand"]).df().set_index("segment")
    assert set(base.index) == {"hyperscaler", "neocloud", "marketplace"}  # no DePIN: its rows never count
    assert base.index.is_unique  # one row per segment (the newest, confident first)


def test_a_marketplace_machine_counts_once_and_regions_map_to_geo_groups():
    con = _con()
    row = _rows(con, segment="marketplace", geo="all", price_type="on_demand").iloc[0]
    assert (row["n"], row["n_providers"]) == (2, 1)  # machines m1 and m2, not three offers
    assert row["median"] == pytest.approx((1.5 + 2.0) / 2)  # m1 = median(1, 2) = 1.5; m2 = 2
    assert row["low_confidence"] and row["reason"] == "2 machines < 5"
    us = _rows(con, segment="marketplace", geo="US").iloc[0]
    eu = _rows(con, segment="marketplace", geo="EU").iloc[0]
    assert (us["median"], eu["median"]) == (1.5, 2.0)  # 'US' and 'DE' from data/seed/regions.csv
    hyper_us = _rows(con, segment="hyperscaler", geo="US").iloc[0]  # us-east-1, US and eastus are all US
    assert hyper_us["n_providers"] == 3


def test_a_provider_seen_through_two_sources_counts_once_by_precedence():
    con = _con()
    row = _rows(con, segment="hyperscaler", geo="all", price_type="on_demand").iloc[0]
    assert row["n_providers"] == 3 and row["median"] == 10.0  # aws 6.0 (aws_ec2 wins), gcp 10, azure 12
    assert row["sources"] == "aws_ec2;azure_retail_prices;gcp_compute"  # cloud_gpus' $9 lost the dedupe
    cov = con.execute("SELECT * FROM marts.provider_sources WHERE provider = 'aws'").df().set_index("source")
    assert cov.loc["aws_ec2", "cells_won"] == 1 and cov.loc["cloud_gpus", "cells_won"] == 0
    assert cov.loc["aws_ec2", "used_latest"] and not cov.loc["cloud_gpus", "used_latest"]
    assert (cov.loc["aws_ec2", "kind"], cov.loc["cloud_gpus", "kind"]) == ("catalogue", "aggregator")
    table = ms.provider_coverage(con.execute("SELECT *, provider AS provider_name FROM marts.provider_sources").df())
    aws = table.set_index("provider").loc["aws"]
    assert aws["n_sources"] == 2 and aws["used_now"] == "aws_ec2"
    assert aws["sources"] == "aws_ec2 (catalogue), cloud_gpus (aggregator)"


def test_price_types_stay_apart_and_excluded_rows_become_markers():
    con = _con()
    neo = _rows(con, segment="neocloud", geo="all")
    assert sorted(neo["price_type"]) == ["on_demand", "spot"]  # Lambda's spot is not in its on-demand median
    assert neo.set_index("price_type").loc["on_demand", "median"] == 3.0
    assert _rows(con, segment="depin").empty  # tertiary and year-dated: never in an index
    markers = con.execute("SELECT provider, price, excluded_reason FROM marts.price_markers ORDER BY price").df()
    assert markers.values.tolist() == [["akash", 1.2, "date coarser than a month (year)"],
                                       ["akash", 1.85, "tertiary source"]]


def _vast_offer_rows(day: dt.date, prices: list[float]) -> list[tuple]:
    at = dt.datetime(day.year, day.month, day.day, 12)
    start = at.replace(tzinfo=dt.UTC).timestamp() - 86400  # listed a day before: fresh
    return [(at, "vast", "vast", "marketplace", "H200", "H200", 1, p, "on_demand", "US", f"{day}-{i}", f"m{i}",
             "Texas, US", False, 0.95, start) for i, p in enumerate(prices)]


def test_ccir_rows_come_from_the_vast_offers_in_core():
    days = [dt.date(2026, 11, 18), dt.date(2026, 11, 19), dt.date(2026, 11, 20)]
    offers = [r for d in days for r in _vast_offer_rows(d, [2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7])]
    con = duckdb.connect(":memory:")
    warehouse.create_schema(con)
    warehouse.load_reference(con, ROOT / "data" / "seed")
    con.executemany(
        "INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, gpu_model_raw, gpu_count, "
        "price_usd_per_gpu_hour, price_type, region, offer_id, machine_id, geolocation, rented, reliability, "
        "start_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [list(r) for r in offers])
    warehouse.build_marts(con, only={"price_index"})
    ccir = _rows(con, method=pm.CCIR_METHOD).set_index("day")
    assert list(ccir.index) == days and set(ccir["geo"]) == {"US"} and set(ccir["segment"]) == {"marketplace"}
    last = ccir.loc[days[-1]]
    assert last["n"] == 24 and last["median"] == pytest.approx(2.35) and not last["low_confidence"]
    assert ccir.loc[days[0], "low_confidence"]  # one valid day of three needed
    cw = _rows(con, method=pm.METHOD, geo="US", day=days[-1]).iloc[0]
    assert cw["n"] == 8 and cw["median"] == pytest.approx(2.35)


def test_published_indices_carry_the_series_they_measure_and_their_method():
    con = _con(indicators=[(D1, "CCIR CRI-H100", 1.9, "ccir"), (D1, "GPU Price Index H100 neocloud", 2.8,
                                                                  "gpu_price_index"),
                           (D1, "Somebody else's index", 1.0, "x")])
    pub = con.execute("SELECT * FROM marts.published_price_index ORDER BY entity").df().set_index("entity")
    assert list(pub.index) == ["CCIR CRI-H100", "GPU Price Index H100 neocloud"]  # unknown series left out
    assert tuple(pub.loc["CCIR CRI-H100", ["gpu_model", "segment", "geo"]]) == ("H100 SXM", "marketplace", "US")
    assert tuple(pub.loc["GPU Price Index H100 neocloud", ["gpu_model", "segment", "geo"]]) == (
        "H100 SXM", "neocloud", "all")
    assert pub.loc["CCIR CRI-H100", "method_sentence"].startswith("CCIR CRI")
    ours = _rows(con, method=pm.METHOD)
    beside = ps.published_beside(pub.reset_index(), ours).set_index("entity")
    assert beside.loc["GPU Price Index H100 neocloud", "ours"] == 3.0  # our neocloud on-demand median that day
    assert beside.loc["GPU Price Index H100 neocloud", "difference"] == pytest.approx(3.0 / 2.8 - 1)
    assert beside.loc["CCIR CRI-H100", "ours"] == 1.5  # our marketplace US median that day


def test_h100e_is_dense_bf16_relative_to_h100_sxm_with_l40s_and_a_memory_variant():
    h = _con().execute("SELECT * FROM marts.gpu_h100e").df().set_index("gpu_model")
    assert h.loc["H100 SXM", "h100e"] == 1.0 and h.loc["H100 SXM", "h100e_memory"] == 1.0
    assert h.loc["A100 80GB", "h100e"] == pytest.approx(312 / 989.4, rel=1e-3)
    assert "L40S" in h.index and h.loc["H200", "h100e_memory"] > h.loc["H200", "h100e"]


# --------------------------------------------------------------------------- the page's pure model

def _units(as_of_price_since: dt.date) -> pd.DataFrame:
    rows = [(dt.date(2026, 11, 1), "neocloud", "lambda", "lambda", 3.0, dt.date(2026, 11, 1)),
            (dt.date(2026, 11, 1), "neocloud", "ovh", "ovh", 2.0, as_of_price_since),
            (dt.date(2026, 10, 1), "neocloud", "lambda", "lambda", 3.5, dt.date(2026, 10, 1))]
    return pd.DataFrame([{"day": d, "gpu_model": "H100 SXM", "segment": s, "price_type": "on_demand", "provider": p,
                          "unit": u, "geo": "global", "country": None, "price": price, "n_offers": 1,
                          "source": "cloud_gpus", "sources_seen": "cloud_gpus", "price_since": since,
                          "outlier": False, "day_median": None, "provider_name": p, "block": "centralised"}
                         for d, s, p, u, price, since in rows])


def test_ladder_takes_each_providers_newest_price_and_marks_stale_list_prices():
    units = _units(dt.date(2025, 1, 1))  # OVH's price was set in January 2025 and republished since
    lad = ps.ladder(units, as_of=dt.date(2026, 11, 10)).set_index("provider")
    assert lad.loc["lambda", "price"] == 3.0  # its newest day, not October's 3.5
    assert lad.loc["ovh", "stale"] and not lad.loc["lambda", "stale"]
    assert lad.loc["ovh", "age_days"] == (dt.date(2026, 11, 10) - dt.date(2025, 1, 1)).days
    # as of October the ladder shows October's price: the as-of date is the reader's, not the data's
    assert ps.ladder(units, as_of=dt.date(2026, 10, 15)).set_index("provider").loc["lambda", "price"] == 3.5


def test_headlines_are_anchored_to_the_as_of_date_and_leave_stale_prices_out():
    units = _units(dt.date(2025, 1, 1))
    heads = ps.segment_headlines(ps.headline_table(units, "H100 SXM", as_of=dt.date(2026, 11, 10)))
    neo = heads["neocloud"]
    assert neo.median == 3.0 and neo.n_providers == 1 and neo.n_stale == 1  # OVH's stale price left out
    assert neo.low_confidence and "1 providers < 3" in neo.reason
    assert heads["centralised"] is None  # no hyperscaler figure: no block figure
    fresh = ps.segment_headlines(ps.headline_table(_units(dt.date(2026, 11, 1)), "H100 SXM",
                                                   as_of=dt.date(2026, 11, 10)))
    assert fresh["neocloud"].median == 2.5 and fresh["neocloud"].n_providers == 2


def test_method_switch_compares_the_methods_on_their_newest_common_day():
    rows = pd.DataFrame({"day": [D1, D1, D2], "method": [pm.METHOD, pm.CCIR_METHOD, pm.METHOD],
                         "median": [2.0, 2.2, 2.5], "n": [6, 36, 7], "low_confidence": False, "reason": None})
    moves = ps.method_switch(rows).set_index("method")
    assert set(moves["day"]) == {D1}  # D2 has only one method
    assert moves.loc[pm.CCIR_METHOD, "move"] == pytest.approx(0.1) and moves.loc[pm.METHOD, "move"] == 0
    assert moves.loc[pm.CCIR_METHOD, "sentence"] == pm.METHOD_SENTENCES[pm.CCIR_METHOD]
    assert ps.method_switch(rows[rows["day"] == D2]).empty


# --------------------------------------------------------------------------- replayed captures

@pytest.mark.captures
def test_ccir_reproduction_read_from_the_mart(replayed_db):
    con = duckdb.connect(replayed_db, read_only=True)
    try:
        got = dict(con.execute(
            "SELECT gpu_model, median FROM marts.price_index WHERE method = ? AND day = DATE '2026-03-04'",
            [pm.CCIR_METHOD]).fetchall())
    finally:
        con.close()
    published = {"H200": 2.3237, "RTX 4090": 0.4007}  # CCIR's CRI-H200 and CRI-4090, window ending 2026-03-04
    for model, value in published.items():
        assert got[model] == pytest.approx(value, rel=0.005), model
    # CRI-H100 (1.735) cannot be reproduced: its window's first day came from a collector not captured
    assert got["H100 SXM"] == pytest.approx(1.8673, rel=0.005)


@pytest.mark.captures
def test_replayed_headlines_per_segment_and_the_provider_precedence(replayed_db):
    con = duckdb.connect(replayed_db, read_only=True)
    try:
        units = con.execute("SELECT * FROM marts.price_units WHERE gpu_model = 'H100 SXM'").df()
        cov = con.execute("SELECT * FROM marts.provider_sources WHERE provider = 'azure'").df().set_index("source")
    finally:
        con.close()
    for column in ("day", "price_since"):
        units[column] = pd.to_datetime(units[column]).dt.date
    heads = ps.headline_table(units, "H100 SXM", as_of=dt.date(2026, 12, 1)).set_index("segment")
    assert {"hyperscaler", "neocloud", "marketplace"} <= set(heads.index)
    # DePIN: one observed Akash price (opencomputeprices, 2026-03-22), older than the window and thin
    assert heads.loc["depin", "fallback"] and heads.loc["depin", "low_confidence"]
    assert "decentralised" not in heads.index  # its segments' windows differ: not pooled
    assert heads.loc["hyperscaler", "median"] > heads.loc["neocloud", "median"]
    assert (heads["newest"] <= dt.date(2026, 12, 1)).all()
    assert heads.loc["hyperscaler", "n_providers"] >= 3
    assert cov.loc["azure_retail_prices", "kind"] == "provider_api" and cov.loc["azure_retail_prices", "used_latest"]
