"""etl.price_method: one test per rule of the cw method on hand-made frames, and CCIR's CRI on the captures."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import price_method as pm

ROOT = Path(__file__).resolve().parent.parent
REGIONS = pd.read_csv(ROOT / "data" / "seed" / "regions.csv", keep_default_na=False)
KINDS = {"lambda_api": "provider_api", "vast": "provider_api", "azure_retail_prices": "provider_api",
         "gcp_compute": "catalogue", "cloud_gpus": "aggregator", "gpu_price_tracker": "aggregator",
         "seed": "aggregator"}


def obs(*rows: dict) -> pd.DataFrame:
    """Observations with core.gpu_prices columns; each row gives only what differs from the default."""
    base = {"observed_at": "2026-03-04", "source": "gpu_price_tracker", "provider": "p", "segment": "neocloud",
            "gpu_model": "H100 SXM", "gpu_count": 1, "price_usd_per_gpu_hour": 2.0, "price_type": "on_demand",
            "region": None, "offer_id": None, "host_id": None, "machine_id": None, "confidence": None,
            "note": None}
    return pd.DataFrame([{**base, **r} for r in rows])


def neoclouds(*prices: float, day: str = "2026-03-04", **extra) -> list[dict]:
    return [{"provider": f"n{i}", "price_usd_per_gpu_hour": p, "observed_at": day, **extra}
            for i, p in enumerate(prices)]


def units_of(frame: pd.DataFrame, **kw) -> pd.DataFrame:
    return pm.prepare(frame, REGIONS, KINDS, **kw)[0]


def index_of(frame: pd.DataFrame, **kw) -> pd.DataFrame:
    return pm.price_index(frame, REGIONS, KINDS, **kw)


# ---- observation unit: machines and providers count once ----

def test_a_marketplace_machine_counts_once_per_day_at_the_median_of_its_offers():
    slices = [{"source": "vast", "provider": "vast", "segment": "marketplace", "machine_id": "m1", "offer_id": f"o{n}",
               "gpu_count": n, "price_usd_per_gpu_hour": p, "region": "US"}
              for n, p in ((1, 1.40), (2, 1.50), (4, 1.60), (8, 1.70))]
    other = {"source": "vast", "provider": "vast", "segment": "marketplace", "machine_id": "m2", "offer_id": "o9",
             "price_usd_per_gpu_hour": 2.00, "region": "US"}
    units = units_of(obs(*slices, other))
    assert sorted(units["price"].round(4)) == [1.55, 2.0] and sorted(units["n_offers"]) == [1, 4]
    row = index_of(obs(*slices, other)).query("geo == 'all'").iloc[0]
    assert (row["n"], row["n_providers"], row["median"]) == (2, 1, pytest.approx(1.775))


def test_a_provider_seen_through_several_sources_counts_once_by_precedence():
    frame = obs({"source": "cloud_gpus", "provider": "lambda", "price_usd_per_gpu_hour": 2.49},
                {"source": "lambda_api", "provider": "lambda", "price_usd_per_gpu_hour": 2.99},
                {"source": "gpu_price_tracker", "provider": "lambda", "price_usd_per_gpu_hour": 2.79},
                {"source": "gpu_price_tracker", "provider": "runpod", "price_usd_per_gpu_hour": 2.69},
                {"source": "cloud_gpus", "provider": "runpod", "price_usd_per_gpu_hour": 2.39})
    units = units_of(frame).set_index("provider")
    assert units.loc["lambda", "source"] == "lambda_api" and units.loc["lambda", "price"] == 2.99
    assert units.loc["lambda", "sources_seen"] == "cloud_gpus;gpu_price_tracker;lambda_api"
    # two aggregators: the tie goes to the alphabetically first source, whatever the row order
    assert units.loc["runpod", "source"] == "cloud_gpus"
    assert units_of(frame.iloc[::-1]).set_index("provider").loc["runpod", "source"] == "cloud_gpus"
    assert len(units) == 2


# ---- price types apart ----

def test_price_types_are_mapped_by_one_table_and_never_pooled():
    frame = obs(*neoclouds(3.0, 3.2, 3.4),
                {"provider": "n0", "price_type": "contract", "price_usd_per_gpu_hour": 2.0, "source": "seed"},
                {"provider": "n1", "price_type": "reserved", "price_usd_per_gpu_hour": 2.2, "source": "seed"},
                {"provider": "n2", "price_type": "community", "price_usd_per_gpu_hour": 2.1},
                {"provider": "n3", "price_type": "index", "price_usd_per_gpu_hour": 2.6, "source": "seed"},
                {"provider": "v", "segment": "marketplace", "source": "vast", "price_type": "bid",
                 "machine_id": "m", "price_usd_per_gpu_hour": 0.9})
    rows = index_of(frame).query("geo == 'all'").set_index(["segment", "price_type"])
    assert rows.loc[("neocloud", "on_demand"), "median"] == 3.2
    assert rows.loc[("neocloud", "on_demand"), "n_providers"] == 3
    assert set(rows.index) == {("neocloud", "on_demand"), ("neocloud", "reserved_12m_plus"),
                               ("neocloud", "reserved_short"), ("neocloud", "community"), ("marketplace", "spot")}
    assert pm.price_type_of("ccir", "secure_spot") == "spot" and pm.price_type_of("ccir", "secure") == "on_demand"
    assert pm.price_type_of("nosana", "index") is None and pm.price_type_of("x", "unheard_of") is None
    assert set(pm.price_type_table()["price_type"].dropna()) <= set(pm.PRICE_TYPES)


# ---- evidence grade and date precision ----

@pytest.mark.parametrize("observed_on, note, precision", [
    ("2026-04-12", "single spot listing; DataCrunch now trades as Verda", "day"),
    ("2024-10-01", "market-wide level; upper bound: 'now below $2/hr' (Oct 2024)", "month"),
    ("2026-05-01", "tier=hyperscalers; range 3.50-5.00; source_date approximate (source gives May 2026)", "month"),
    ("2023-07-01", "p5 launch price; stale list price; source_date approximate (page dated Q1 2026)", "month"),
    ("2023-07-01", "the page still quotes it as current in Q1 2026 despite AWS's June 2025 cut", "month"),
    ("2024-11-01", "Capacity Blocks; observed_on approximate (late 2024); source_date approximate (source gives late 2024)", "quarter"),
    ("2026-02-01", "$22-28/h per 8x H100; Q1 2026, observed_on approximate", "quarter"),
    ("2025-02-01", "B200 rental price floor in early 2025 (approximate: '~$3.20'); observed_on approximate", "quarter"),
    ("2026-07-01", "Secure Cloud H100 SXM5; month not given, observed_on approximate", "year"),
    ("2026-05-01", "approximate: '~$2.60' in an undated 2026 snapshot, observed_on approximate", "year"),
    ("2023-07-01", "lower bound: peak 'above $8' in 2023 (month not given, observed_on is a mid-2023 placeholder)", "year"),
])
def test_seed_date_precision_reads_the_readme_conventions(observed_on, note, precision):
    assert pm.seed_date_precision(observed_on, note) == precision


def test_every_real_seed_price_gets_a_precision_and_stand_in_dates_are_coarse():
    with (ROOT / "data" / "seed" / "gpu_prices.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = [pm.seed_date_precision(r["observed_on"], r["note"]) for r in rows]
    assert set(got) <= set(pm.PRECISION_ORDER)
    # the example: Akash's "2026" blog midpoint dated 2026-07-01 is a year, never "latest"
    akash = next(p for r, p in zip(rows, got, strict=True) if r["provider"] == "akash")
    assert akash == "year"
    assert any(p == "day" for p in got) and any(p == "month" for p in got)


def test_tertiary_and_coarse_dated_rows_leave_the_index_but_stay_as_markers():
    frame = obs(*neoclouds(3.0, 3.1, 3.2, source="seed", confidence="secondary",
                           note="source_date approximate (source gives May 2026)"),
                {"provider": "t", "source": "seed", "confidence": "tertiary", "price_usd_per_gpu_hour": 1.0,
                 "observed_at": "2026-03-03"},
                {"provider": "y", "source": "seed", "confidence": "secondary", "price_usd_per_gpu_hour": 1.1,
                 "note": "month not given, observed_on approximate"},
                {"provider": "q", "source": "seed", "confidence": "secondary", "price_usd_per_gpu_hour": 1.2,
                 "date_precision": "quarter"})
    units, markers = pm.prepare(frame, REGIONS, KINDS)
    assert sorted(units["provider"]) == ["n0", "n1", "n2"]
    assert dict(zip(markers["provider"], markers["excluded_reason"], strict=True)) == {
        "t": "tertiary source", "y": "date coarser than a month (year)", "q": "date coarser than a month (quarter)"}


# ---- windows anchored to today, stale list prices ----

def test_the_window_is_anchored_to_the_as_of_date_not_the_newest_row():
    frame = obs(*neoclouds(3.0, 3.2, 3.4, day="2026-03-04"), *neoclouds(9.0, 9.0, 9.0, day="2026-03-10"))
    units = units_of(frame)
    before = pm.headlines(units, as_of=date(2026, 3, 5)).set_index("segment")
    assert before.loc["neocloud", "median"] == 3.2  # rows after the as-of date do not count
    later = pm.headlines(units, as_of=date(2026, 12, 1)).set_index("segment")
    # nothing within 90 days of 2026-12-01: the newest window with data, and how old it is
    assert later.loc["neocloud", "fallback"] and later.loc["neocloud", "age_days"] == (date(2026, 12, 1) - date(2026, 3, 10)).days
    assert "266 days old" in later.loc["neocloud", "as_of_text"]
    today = datetime.now(UTC).date()
    assert pm.window(units, None, 30)[2] == today  # the default end is today, never max(day)
    assert pm.headlines(units).equals(pm.headlines(units, as_of=today))


def test_as_of_text_names_oldest_and_newest_contributing_observation():
    frame = obs({"provider": "a", "observed_at": "2026-02-20"}, {"provider": "b", "observed_at": "2026-03-01"},
                {"provider": "c", "observed_at": "2026-03-04"})
    row = pm.headlines(units_of(frame), as_of=date(2026, 3, 4)).set_index("segment").loc["neocloud"]
    assert (row["oldest"], row["newest"], row["n_providers"]) == (date(2026, 2, 20), date(2026, 3, 4), 3)
    assert row["as_of_text"] == "observations 2026-02-20 to 2026-03-04"


def test_a_list_price_unchanged_for_more_than_90_days_is_stale_even_when_republished():
    history = [  # cloud_gpus: its history of changes, then the current table re-publishing them
        {"source": "cloud_gpus", "provider": "old", "observed_at": "2024-01-10", "price_usd_per_gpu_hour": 3.0},
        {"source": "cloud_gpus", "provider": "old", "observed_at": "2025-09-17", "price_usd_per_gpu_hour": 3.0},
        {"source": "cloud_gpus", "provider": "new", "observed_at": "2024-01-10", "price_usd_per_gpu_hour": 4.0},
        {"source": "cloud_gpus", "provider": "new", "observed_at": "2025-08-01", "price_usd_per_gpu_hour": 2.5},
        {"source": "cloud_gpus", "provider": "new", "observed_at": "2025-09-17", "price_usd_per_gpu_hour": 2.5},
        {"source": "cloud_gpus", "provider": "now", "observed_at": "2025-09-17", "price_usd_per_gpu_hour": 2.7},
    ]
    units = units_of(obs(*history))
    since = units[units["day"] == date(2025, 9, 17)].set_index("provider")["price_since"]
    assert since.to_dict() == {"new": date(2025, 8, 1), "now": date(2025, 9, 17), "old": date(2024, 1, 10)}
    row = pm.headlines(units, as_of=date(2025, 10, 1)).set_index("segment").loc["neocloud"]
    assert (row["n_stale"], row["n_providers"], row["median"]) == (1, 2, pytest.approx(2.6))
    flags = pm.stale_flags(units, date(2025, 10, 1)).set_index("provider")
    assert flags["stale"].to_dict() == {"new": False, "now": False, "old": True}


# ---- segments and blocks ----

def test_segments_get_their_own_median_and_a_block_needs_both_its_segments():
    frame = obs(*neoclouds(3.0, 3.2, 3.4),
                *[{"provider": h, "segment": "hyperscaler", "price_usd_per_gpu_hour": p}
                  for h, p in (("aws", 6.9), ("azure", 7.0), ("gcp", 9.8))],
                {"provider": "vast", "segment": "marketplace", "source": "vast", "machine_id": "m1",
                 "price_usd_per_gpu_hour": 1.6})
    h = pm.headlines(units_of(frame), as_of=date(2026, 3, 4)).set_index("segment")
    assert h.loc["hyperscaler", "median"] == 7.0 and h.loc["neocloud", "median"] == 3.2
    assert h.loc["centralised", "contains"] == "hyperscaler+neocloud" and h.loc["centralised", "n_providers"] == 6
    assert "decentralised" not in h.index  # no DePIN figure: no decentralised block


def test_a_block_is_withheld_when_one_of_its_segments_only_has_an_older_window():
    frame = obs({"provider": "vast", "segment": "marketplace", "source": "vast", "machine_id": "m1",
                 "observed_at": "2026-10-10", "price_usd_per_gpu_hour": 1.6},
                {"provider": "akash", "segment": "depin", "source": "akash",
                 "observed_at": "2026-03-22", "price_usd_per_gpu_hour": 1.5})
    h = pm.headlines(units_of(frame), as_of=date(2026, 12, 1)).set_index("segment")
    assert h.loc["depin", "fallback"] and not h.loc["marketplace", "fallback"]
    assert "decentralised" not in h.index  # March DePIN and October marketplace prices are not pooled


# ---- regions ----

@pytest.mark.parametrize("source, region, country, geo", [
    ("azure_retail_prices", "eastus", "US", "US"), ("seed", "US East", "US", "US"),
    ("aws_ec2", "us-east-1", "US", "US"), ("vast", "FR", "FR", "EU"), ("vast", "JP", "JP", "APAC"),
    ("cloud_gpus", "Netherlands", "NL", "EU"), ("cloud_gpus", "North America", None, "US"),
    ("cloud_gpus", "Worldwide", None, "global"), ("runpod", "secure", None, "global"),
    ("gpu_price_index", "sa-east-1", "BR", "other"), ("vast", None, None, "global"),
])
def test_region_strings_map_to_a_country_and_geo_group(source, region, country, geo):
    assert pm.map_region(source, region, pm.region_lookup(REGIONS)) == (country, geo, True)


def test_an_unknown_region_string_is_reported_not_guessed():
    assert pm.map_region("vast", "Atlantis", pm.region_lookup(REGIONS)) == (None, "global", False)


def test_the_us_filter_works_across_sources():
    frame = obs({"provider": "azure", "segment": "hyperscaler", "region": "eastus", "price_usd_per_gpu_hour": 7.0,
                 "source": "azure_retail_prices"},
                {"provider": "aws", "segment": "hyperscaler", "region": "US East", "price_usd_per_gpu_hour": 6.9,
                 "source": "seed", "confidence": "secondary", "note": "exact date"},
                {"provider": "gcp", "segment": "hyperscaler", "region": "us-central1", "price_usd_per_gpu_hour": 9.8},
                {"provider": "gcp", "segment": "hyperscaler", "region": "europe-west4", "price_usd_per_gpu_hour": 9.0},
                {"provider": "ovh", "segment": "hyperscaler", "region": "Europe", "price_usd_per_gpu_hour": 3.0,
                 "source": "cloud_gpus"})
    rows = index_of(frame).set_index("geo")
    assert (rows.loc["US", "n_providers"], rows.loc["US", "median"]) == (3, 7.0)
    assert (rows.loc["EU", "n_providers"], rows.loc["all", "n_providers"]) == (2, 4)
    # in 'all' gcp votes once, with the median of its two regions
    assert rows.loc["all", "median"] == pytest.approx((6.9 + 7.0) / 2)


@pytest.mark.captures
def test_every_region_string_of_the_replayed_captures_is_in_the_table(replayed_db):
    with duckdb.connect(replayed_db, read_only=True) as con:
        pairs = con.sql("SELECT DISTINCT source, region FROM core.gpu_prices").fetchall()
    lookup = pm.region_lookup(REGIONS)
    unmapped = [(s, r) for s, r in pairs if not pm.map_region(s, r, lookup)[2]]
    assert len(pairs) > 50 and unmapped == []


# ---- coverage and outliers ----

def test_points_below_the_coverage_minimum_are_kept_and_flagged_with_a_reason():
    frame = obs(*neoclouds(3.0, 3.2),
                *[{"provider": "vast", "segment": "marketplace", "source": "vast", "machine_id": f"m{i}",
                   "price_usd_per_gpu_hour": 1.5 + i / 10} for i in range(4)])
    rows = index_of(frame).query("geo == 'all'").set_index("segment")
    assert rows.loc["neocloud", ["low_confidence", "reason"]].tolist() == [True, "2 providers < 3"]
    assert rows.loc["marketplace", ["low_confidence", "reason"]].tolist() == [True, "4 machines < 5"]
    more = index_of(pd.concat([frame, obs({"provider": "n9", "price_usd_per_gpu_hour": 3.1})]))
    assert not more.query("geo == 'all' and segment == 'neocloud'")["low_confidence"].iloc[0]


def test_a_price_beyond_5x_or_below_a_fifth_of_the_days_median_is_an_outlier():
    frame = obs(*neoclouds(3.0, 3.0, 3.2, 3.4, 16.5, 0.55))  # day median 3.1: 16.5 > 5x, 0.55 < 1/5
    units = units_of(frame).set_index("provider")
    assert units["outlier"].to_dict() == {"n0": False, "n1": False, "n2": False, "n3": False, "n4": True, "n5": True}
    row = index_of(frame).query("geo == 'all'").iloc[0]
    assert (row["n"], row["median"]) == (4, pytest.approx(3.1))
    near = units_of(obs(*neoclouds(3.0, 3.0, 3.2, 3.4, 15.0)))  # 15.0 < 5 x 3.2: kept
    assert not near["outlier"].any()


def test_index_rows_have_the_mart_columns_and_the_default_method_name():
    rows = index_of(obs(*neoclouds(3.0, 3.2, 3.4)))
    assert list(rows.columns) == pm.INDEX_COLUMNS
    assert set(rows["method"]) == {pm.METHOD} and pm.METHOD == f"cw-{pm.METHOD_VERSION}"
    assert set(rows["geo"]) == {"all"}  # no regional rows without regional prices


# ---- unit of compute ----

def test_h100e_uses_one_bf16_basis_and_a_memory_aware_variant():
    compute = pd.read_csv(ROOT / "data" / "seed" / "gpu_compute.csv")
    for col in ("source_url", "source_date", "confidence"):
        assert compute[col].notna().all(), col
    e = pm.h100e(compute).set_index("gpu_model")
    assert e.loc["H100 SXM", "h100e"] == 1.0 and e.loc["H200", "h100e"] == pytest.approx(1.0, abs=0.001)
    assert e.loc["H200", "h100e_memory"] > 1.1  # memory no longer ignored
    assert 0.3 < e.loc["L40S", "h100e"] < 0.4 and e.loc["RTX 4090", "h100e"] < 0.2  # FP32-accumulate basis
    assert pm.usd_per_pflop_hour(2.0, 989.4) == pytest.approx(2.0214, abs=1e-4)


# ---- CCIR CRI 1.1.1 ----

def offers(*rows: dict, at="2026-03-04T16:00:00+00:00") -> pd.DataFrame:
    collected = pd.Timestamp(at)
    base = {"collected_at": collected, "gpu_name": "H200", "num_gpus": 1, "dph_total": 2.0,
            "geolocation": "Texas, US", "rented": False, "reliability2": 0.99,
            "start_date": collected.timestamp() - 86400, "rentable": True}
    return pd.DataFrame([{**base, "id": i, **r} for i, r in enumerate(rows)])


def test_ccir_filters_follow_the_published_method():
    frame = offers({"dph_total": 4.0, "num_gpus": 2},  # kept: 2.0 per GPU
                   {"geolocation": "Ontario, CA"}, {"geolocation": "US"}, {"rented": True},
                   {"reliability2": 0.89}, {"num_gpus": 0}, {"start_date": None},
                   {"start_date": pd.Timestamp("2026-02-20", tz="UTC").timestamp()},  # older than 7 days
                   {"gpu_name": "H100 SXM"}, {"geolocation": ", US", "dph_total": 2.5})
    daily = pm.ccir_daily_observations(frame, "H200")
    assert daily == {date(2026, 3, 4): [2.0, 2.5]}


def test_ccir_outlier_removal_uses_the_trimmed_mean_and_the_full_sd():
    prices = [1.0] * 9 + [1.1] * 9 + [10.0]
    cleaned = pm.ccir_remove_outliers(prices)
    assert 10.0 not in cleaned and len(cleaned) == 18
    assert pm.ccir_remove_outliers([1.0, 5.0, 9.0]) == [1.0, 5.0, 9.0]  # fewer than 4: unchanged


def test_ccir_days_need_8_observations_and_the_index_pools_7_days():
    days = {date(2026, 3, d): [1.0 + d / 100] * n for d, n in ((1, 8), (2, 7), (3, 8), (4, 9))}
    r = pm.ccir_cri(offers(), "none", date(2026, 3, 4), daily=days)
    assert (r["valid_days"], r["n"], r["low_confidence"]) == (3, 25, False)
    assert r["index_value"] == 1.03  # 1.02 (the 7 of day 2) is excluded; median of 8 x 1.01, 8 x 1.03, 9 x 1.04
    low = pm.ccir_cri(offers(), "none", date(2026, 3, 4), daily={date(2026, 3, 4): [1.0] * 8})
    assert low["low_confidence"] and low["reason"] == "only 1 valid days in 7-day window"


def _vast_captures(captures: Path) -> pd.DataFrame:
    snapshots = []
    for day in sorted((captures / "vast").glob("2026-*")):
        collected = datetime.fromisoformat(json.loads((day / "collection.meta.json").read_text())["collected_utc"])
        snapshots += [(collected, json.loads(f.read_text())) for f in sorted(day.glob("*_*.json"))]
    return pm.ccir_offers(snapshots)


def _published(captures: Path) -> dict[str, float]:
    out = {}
    for path in (captures / "ccir").glob("cri-*-index.csv"):
        for r in csv.DictReader(path.open()):
            if r["window_end"] == "2026-03-04":
                out[r["index_name"]] = float(r.get("index_value") or r["cri_h100"])
    return out


# CCIR's own H100 observations of 2026-02-26 (ccir-index/cri-h100 data/raw/2026-02-26.csv, collector
# v1.0.0): the window 2026-02-26..03-04 starts a day before the raw Vast archive the captures hold.
CCIR_H100_2026_02_26 = [1.564444, 1.537037, 1.444741, 1.601111, 1.600556, 1.869444, 1.868056, 1.868889]


@pytest.mark.captures
def test_ccir_method_reproduces_the_published_cri_h200_and_cri_4090(captures):
    raw = _vast_captures(captures)
    published = _published(captures)
    rows = pm.ccir_index_rows(raw, [date(2026, 3, 4)]).set_index("gpu_model")
    for name, model in (("CRI-H200", "H200"), ("CRI-4090", "RTX 4090"), ("CRI-L40S", "L40S")):
        assert rows.loc[model, "median"] == pytest.approx(published[name], rel=0.005), name
    assert set(rows["method"]) == {pm.CCIR_METHOD} and set(rows["geo"]) == {"US"}
    assert rows.loc["RTX 4090", "n"] == 102  # CCIR published 102 observations too


@pytest.mark.captures
def test_cri_h100_differs_because_its_first_window_day_is_not_in_the_captures(captures):
    raw = _vast_captures(captures)
    published = _published(captures)["CRI-H100"]
    ours = pm.ccir_cri(raw, "H100 SXM", date(2026, 3, 4))
    assert ours["index_value"] != pytest.approx(published, rel=0.005)
    assert (ours["n"], ours["valid_days"]) == (36, 3)  # CCIR: 44 observations, 4 valid days
    with_day = pm.ccir_cri(raw, "H100 SXM", date(2026, 3, 4), daily={date(2026, 2, 26): CCIR_H100_2026_02_26})
    assert (with_day["index_value"], with_day["n"], with_day["valid_days"]) == (published, 44, 4)


def test_core_vast_rows_feed_the_ccir_method_once_they_carry_start_date():
    at = pd.Timestamp("2026-03-04T16:00:00Z")
    core = pd.DataFrame([{"source": "vast", "observed_at": at, "gpu_model_raw": "H200", "offer_id": str(i),
                          "gpu_count": 2, "price_usd_per_gpu_hour": 2.0 + i / 100, "geolocation": "Texas, US",
                          "rented": False, "reliability": 0.99, "start_date": at.timestamp() - 3600}
                         for i in range(9)])
    r = pm.ccir_cri(pm.ccir_offers_from_core(core), "H200", date(2026, 3, 4))
    assert (r["index_value"], r["n"], r["valid_days"]) == (2.04, 9, 1)
    stale = pm.ccir_cri(pm.ccir_offers_from_core(core.drop(columns="start_date")), "H200", date(2026, 3, 4))
    assert stale["index_value"] is None  # without start_date every offer is stale, as in CCIR's collector


def test_headline_ratios_need_both_segments():
    heads = pd.DataFrame([{"segment": "neocloud", "median": 3.0, "low_confidence": False},
                          {"segment": "marketplace", "median": 1.5, "low_confidence": True},
                          {"segment": "hyperscaler", "median": 9.0, "low_confidence": False}])
    got = pm.headline_ratios(heads).set_index("ratio")
    assert got["value"].to_dict() == {"marketplace/neocloud": 0.5, "hyperscaler/neocloud": 3.0}
    assert got["low_confidence"].to_dict() == {"marketplace/neocloud": True, "hyperscaler/neocloud": False}


def test_the_method_module_is_pure():
    source = (ROOT / "etl" / "price_method.py").read_text(encoding="utf-8")
    imports = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "math", "re", "statistics", "collections", "datetime", "pandas"}, imports


def test_the_seed_csv_carries_date_precision_as_derived_and_the_loader_passes_it_on():
    from etl.provenance import Payload
    from etl.sources import seed

    path = ROOT / "data" / "seed" / "gpu_prices.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    header = list(rows[0])
    assert header[header.index("source_date") + 1] == "date_precision"
    assert {r["date_precision"] for r in rows} <= set(pm.PRECISION_ORDER)
    assert [r["date_precision"] for r in rows] == [pm.seed_date_precision(r["observed_on"], r["note"]) for r in rows]
    parsed = [r for r in seed.parse(Payload(path.read_bytes(), "seed", datetime.now(UTC), "gpu_prices.csv"))
              if r["table"] == "gpu_prices"]
    assert parsed and {r["date_precision"] for r in parsed} <= set(pm.PRECISION_ORDER)
    assert any(r["date_precision"] == "year" for r in parsed)
