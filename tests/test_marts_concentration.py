"""marts.concentration: hand-made core rows in an in-memory DuckDB, the seed, and the Vast captures."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import datetime

import duckdb
import pytest

from etl import concentration as c
from etl import pipeline, warehouse
from etl.marts import concentration as mart

QUIET = open(os.devnull, "w")  # noqa: SIM115 - the pipeline's log sink for the whole module


@pytest.fixture
def con():
    db = duckdb.connect(":memory:")
    warehouse.create_schema(db)
    yield db
    db.close()


def add_shares(con, market, period, label, shares: dict, *, source="seed", basis="revenue", ranges=None,
               values=None, coverage=None):
    for entity, share in shares.items():
        low, high = (ranges or {}).get(entity, (None, None))
        con.execute(
            "INSERT INTO core.market_shares (period, period_label, market, entity, share_pct, share_low_pct, "
            "share_high_pct, basis, value, coverage, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [period, label, market, entity, share, low, high, basis, (values or {}).get(entity), coverage, source])


def add_supply(con, observed_at, host_gpus: list[tuple], *, source="vast", network="Vast.ai", segment="marketplace"):
    """host_gpus: (host_id, machine, gpus) per machine."""
    for host, machine, gpus in host_gpus:
        con.execute(
            "INSERT INTO core.supply (observed_at, source, network, segment, gpus_total, gpus_in_use, host_id, note) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            [observed_at, source, network, segment, gpus, host, f"machine {machine}"])


def rows(con, market=None) -> list[dict]:
    where = "WHERE market = ?" if market else ""
    cur = con.execute(f"SELECT * FROM marts.concentration {where} ORDER BY market, period", [market] if market else [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# --------------------------------------------------------------------------- published shares

def test_cloud_interval_brackets_the_hhi_computed_by_hand_from_a_full_distribution(con):
    # Synergy Q2 2025 publishes AWS 30, Microsoft 20, Google 13 (docs/METHODOLOGY.md §5). Suppose the unpublished
    # 37% is Alibaba 4, Oracle 3, Salesforce 2, IBM 2, Tencent 2 and twelve firms of 2% each.
    add_shares(con, "cloud_infrastructure_synergy", "2025-04-01", "2025Q2",
               {"AWS": 30, "Microsoft": 20, "Google": 13})
    mart.build(con)
    full = [30, 20, 13, 4, 3, 2, 2, 2] + [2] * 12
    assert sum(full) == 100
    by_hand = sum(s * s for s in full)  # 900 + 400 + 169 + 16 + 9 + 4*3 + 4*12 = 1554
    assert by_hand == 1554
    (row,) = rows(con, "cloud_infrastructure_synergy")
    assert row["bounded"] is True
    assert row["hhi_low"] <= by_hand <= row["hhi_high"]
    # the bounds themselves, by hand: low = 30² + 20² + 13²; high packs the 37% residual into 13 + 13 + 11
    assert row["hhi_low"] == pytest.approx(900 + 400 + 169)
    assert row["hhi_high"] == pytest.approx(1469 + 2 * 13**2 + 11**2)
    assert (row["hhi_low"], row["hhi_high"]) == pytest.approx(c.hhi_bounds([30, 20, 13]))
    assert row["hhi"] == pytest.approx((row["hhi_low"] + row["hhi_high"]) / 2)
    assert row["cr4"] == pytest.approx(63) and row["cr4_high"] == pytest.approx(76)
    assert row["nakamoto"] == 3  # 30 + 20 = 50 is not a majority; 63 is
    assert row["market_label"] == "Cloud infrastructure, worldwide (Synergy)"
    assert row["block"] == "centralised" and row["basis"] == "revenue" and "Synergy" in row["coverage"]
    assert row["residual_pct"] == pytest.approx(37)
    assert row["verdict"].startswith("Between moderately and highly concentrated under the 2023 US")


def test_published_top_firms_get_an_explicit_residual_share_row(con):
    add_shares(con, "cloud_infrastructure_synergy", "2025-10-01", "2025Q4", {"AWS": 28, "Microsoft": 21, "Google": 15})
    mart.build(con)
    shares = con.execute("SELECT entity, share_pct, is_residual, rank FROM marts.concentration_shares "
                         "ORDER BY is_residual, rank").fetchall()
    assert shares == [("AWS", 28, False, 1), ("Microsoft", 21, False, 2), ("Google", 15, False, 3),
                      (c.RESIDUAL, pytest.approx(36), True, None)]
    (row,) = rows(con)
    assert (row["hhi_low"], row["hhi_high"]) == pytest.approx((1450, 1936))  # docs/METHODOLOGY.md §1.4


def test_synergy_and_canalys_are_never_pooled(con):
    add_shares(con, "cloud_infrastructure_synergy", "2024-01-01", "2024Q1", {"AWS": 31, "Microsoft": 25, "Google": 11})
    add_shares(con, "cloud_infrastructure_canalys", "2024-01-01", "2024Q1", {"AWS": 33, "Microsoft": 21, "Google": 10})
    mart.build(con)
    got = {r["market"]: (r["hhi_low"], r["hhi_high"], r["n_entities"]) for r in rows(con)}
    assert got["cloud_infrastructure_canalys"] == pytest.approx((1630, 1966, 3))  # docs/METHODOLOGY.md §1.4
    assert got["cloud_infrastructure_synergy"][2] == 3


def test_published_ranges_widen_the_interval(con):
    # UK CMA 2024: AWS and Microsoft 30-40% each, Google 0-10% -> HHI at least 1,800 (docs/METHODOLOGY.md §1.4)
    add_shares(con, "cloud_infrastructure_uk_cma", "2024-01-01", "2024", {"AWS": 35, "Microsoft": 35, "Google": 5},
               ranges={"AWS": (30, 40), "Microsoft": (30, 40), "Google": (0, 10)})
    mart.build(con)
    (row,) = rows(con)
    assert row["hhi_low"] == pytest.approx(1800)
    assert row["hhi_high"] >= 40**2 * 2 + 10**2
    assert "highly concentrated" in row["verdict"]


def test_a_market_with_one_published_entity(con):
    add_shares(con, "datacenter_ai_accelerators", "2023-01-01", "2023", {"NVIDIA": 98}, basis="shipments")
    mart.build(con)
    (row,) = rows(con)
    assert (row["hhi_low"], row["hhi_high"]) == pytest.approx((9604, 9608))
    assert row["n_entities"] == 1 and row["nakamoto"] == 1 and row["gini"] is None
    assert row["equivalent_firms"] == pytest.approx(10_000 / 9606)


def test_a_complete_market_has_an_exact_hhi_and_the_values_drive_gini(con):
    add_shares(con, "ai_compute_by_owner_epoch", "2024-12-31", "end-2024", {"A": 40, "B": 30, "C": 20, "D": 10},
               basis="capacity (H100-equivalents)", values={"A": 400, "B": 300, "C": 200, "D": 100},
               coverage="Epoch covers 10-20% of AI compute")
    mart.build(con)
    (row,) = rows(con)
    assert row["bounded"] is False
    assert row["hhi"] == row["hhi_low"] == row["hhi_high"] == pytest.approx(3000)  # docs/METHODOLOGY.md §1.1
    assert row["equivalent_firms"] == pytest.approx(3.33, abs=0.005)
    assert row["gini"] == pytest.approx(c.gini([400, 300, 200, 100]))
    assert row["nakamoto"] == 2 and row["total_value"] == pytest.approx(1000)
    assert "10-20%" in row["coverage"]
    assert con.execute("SELECT count(*) FROM marts.concentration_shares WHERE is_residual").fetchone()[0] == 0


def test_shares_slightly_over_100_are_normalised_with_a_note(con):
    add_shares(con, "inference_endpoints_openrouter", "2025-06-01", "2025-06", {"A": 40, "B": 35, "C": 27})
    mart.build(con)
    (row,) = rows(con)
    scaled = [s * 100 / 102 for s in (40, 35, 27)]
    assert row["hhi"] == pytest.approx(c.hhi(scaled))
    assert "sum to 102.0%; scaled to 100%" in row["note"]
    total = con.execute("SELECT sum(share_pct) FROM marts.concentration_shares").fetchone()[0]
    assert total == pytest.approx(100)


def test_one_bad_market_is_skipped_and_printed_while_the_others_build(con, capsys):
    add_shares(con, "broken_market", "2025-01-01", "2025", {"A": 90, "B": 60})
    add_shares(con, "cloud_infrastructure_synergy", "2025-01-01", "2025Q1", {"AWS": 29, "Microsoft": 22, "Google": 12})
    mart.build(con)
    assert [r["market"] for r in rows(con)] == ["cloud_infrastructure_synergy"]
    skipped = con.execute("SELECT market, period_label, reason FROM marts.concentration_skipped").fetchall()
    assert skipped == [("broken_market", "2025", "shares sum to 150.0%, beyond rounding (max 105%)")]
    assert "skipped broken_market 2025: shares sum to 150.0%" in capsys.readouterr().err


def test_a_quarter_missing_the_usual_firms_is_left_out_of_the_trend(con):
    for period, label in (("2023-01-01", "2023Q1"), ("2023-04-01", "2023Q2"), ("2023-07-01", "2023Q3")):
        add_shares(con, "cloud_infrastructure_synergy", period, label, {"AWS": 32, "Microsoft": 22, "Google": 11})
    add_shares(con, "cloud_infrastructure_synergy", "2022-04-01", "2022Q2", {"AWS": 34, "Salesforce": 3, "Oracle": 2})
    mart.build(con)
    got = {r["period_label"]: r for r in rows(con)}
    gap = got["2022Q2"]
    assert gap["in_trend"] is False and gap["gaps"] == "Microsoft, Google"
    # Microsoft (~22%) may hide in the residual although the smallest listed firm has 2%: the upper bound
    # then lets unlisted firms be as large as the largest listed one, so it still holds the truth.
    truth = 34**2 + 22**2 + 11**2 + 3**2 + 2**2 + 28 * 1**2
    assert gap["hhi_low"] <= truth <= gap["hhi_high"]
    assert all(got[q]["in_trend"] for q in ("2023Q1", "2023Q2", "2023Q3"))


def test_chip_types_are_not_a_market_of_suppliers_and_leaving_them_out_is_recorded_not_printed(con, capsys):
    add_shares(con, "ai_acceleration_by_chip_type", "2023-01-01", "2023", {"GPUs": 72, "ASICs": 22, "CPUs + FPGAs": 6})
    mart.build(con)
    assert rows(con) == []
    assert capsys.readouterr().err == ""
    assert con.execute("SELECT market FROM marts.concentration_skipped").fetchall() == [("ai_acceleration_by_chip_type",)]


# --------------------------------------------------------------------------- decentralised supply

def add_offers(con, observed_at, offers: list[tuple], *, capped=False, source="vast"):
    """offers: (host_id, machine_id, gpu_model, num_gpus, gpu_frac) per offer, as core.gpu_prices holds them."""
    for host, machine, model, num, frac in offers:
        con.execute(
            "INSERT INTO core.gpu_prices (observed_at, source, provider, segment, gpu_model, gpu_count, "
            "price_usd_per_gpu_hour, price_type, host_id, machine_id, gpu_frac, query_capped) "
            "VALUES (?, ?, 'vast', 'marketplace', ?, ?, 1.0, 'on_demand', ?, ?, ?, ?)",
            [observed_at, source, model, num, host, machine, frac, capped])


def test_vast_host_hhi_per_model_counts_each_machine_once_a_day(con):
    # 27 Feb, two snapshots: machine 1 (host A) is listed as 1/8, 1/2 and whole slices: 8 GPUs, once.
    add_offers(con, datetime(2026, 2, 27, 6), [("A", "1", "H100 SXM", 1, 0.125), ("B", "2", "H100 SXM", 2, 0.5)])
    add_offers(con, datetime(2026, 2, 27, 18), [("A", "1", "H100 SXM", 4, 0.5), ("A", "1", "H100 SXM", 8, 1.0),
                                               ("A", "3", "H100 SXM", 4, None), ("C", "4", "H100 SXM", 4, 1.0),
                                               ("D", "9", "V100", 8, 1.0)])
    add_offers(con, datetime(2026, 2, 28, 12), [("A", "1", "H100 SXM", 2, 0.25), ("B", "2", "H100 SXM", 4, 1.0)])
    mart.build(con)
    got = {(r["period_label"], r["gpu_model"]): r for r in rows(con, "vast_hosts")}
    assert sorted(got) == [("2026-02-27", "H100 SXM"), ("2026-02-27", "V100"), ("2026-02-28", "H100 SXM")]
    day1 = got[("2026-02-27", "H100 SXM")]
    # A: machine 1 (8) + machine 3 (4, no fraction: its largest offer) = 12; B: 2 / 0.5 = 4; C: 4 -> of 20
    assert day1["hhi"] == pytest.approx(60**2 + 20**2 + 20**2)
    assert day1["hhi_low"] == day1["hhi_high"] == day1["hhi"] and day1["n_machines"] == 4
    assert (day1["basis"], day1["kind"], day1["block"], day1["segment"]) == (
        "capacity listed", "operator supply", "decentralised", "marketplace")
    assert day1["market_label"] == "Vast.ai hosts, H100 SXM" and not day1["withheld"]
    assert day1["reading"] == "Highly concentrated under the 2023 US Merger Guidelines: HHI 4,400."
    assert got[("2026-02-28", "H100 SXM")]["hhi"] == pytest.approx((800 / 12) ** 2 + (400 / 12) ** 2)  # A 8, B 4
    shares = dict(con.execute("SELECT entity, value FROM marts.concentration_shares WHERE period_label = "
                              "'2026-02-27' AND gpu_model = 'H100 SXM'").fetchall())
    assert shares == {"host A": 12, "host B": 4, "host C": 4}
    pooled = {r["period_label"]: r for r in rows(con, "vast_hosts_pooled")}
    assert pooled["2026-02-27"]["gpu_model"] is None and pooled["2026-02-27"]["variant"].startswith("all GPU models")
    assert pooled["2026-02-27"]["hhi"] == pytest.approx(c.hhi(c.shares_from_values([12, 4, 4, 8])))


def test_a_capped_query_is_flagged_a_sample_and_withheld(con):
    add_offers(con, datetime(2026, 3, 4, 16), [("A", "1", "V100", 8, 1.0), ("B", "2", "V100", 4, 1.0)], capped=True)
    add_offers(con, datetime(2026, 3, 4, 16), [("A", "5", "H200", 8, 1.0), ("C", "6", "H200", 8, 1.0)])
    mart.build(con)
    got = {r["gpu_model"]: r for r in rows(con, "vast_hosts")}
    assert got["V100"]["sample_capped"] and got["V100"]["withheld"]
    assert got["V100"]["withheld_reason"].startswith("sample capped")
    assert got["V100"]["reading"].startswith("Withheld: sample capped")
    assert not got["H200"]["sample_capped"] and not got["H200"]["withheld"]
    assert rows(con, "vast_hosts_pooled")[0]["sample_capped"]  # a pooled day inherits any capped model


def test_akash_providers_and_other_networks_are_found_generically(con):
    add_supply(con, datetime(2026, 3, 1, 12), [("akash1abc", "p1", 30), ("akash1def", "p2", 10)],
               source="akash", network="Akash", segment="depin")
    add_supply(con, datetime(2026, 3, 1, 12), [("op1", "n1", 5), ("op2", "n2", 5)],
               source="newnet", network="New Net", segment="depin")
    mart.build(con)
    got = {r["market"]: r for r in rows(con)}
    assert got["akash_providers"]["hhi"] == pytest.approx(75**2 + 25**2)
    assert got["newnet_new_net_operators"]["hhi"] == pytest.approx(5_000)
    assert got["newnet_new_net_operators"]["market_label"] == "New Net: GPUs by operator"


# --------------------------------------------------------------------------- empty and pure helpers

def test_empty_inputs_give_empty_tables_with_the_right_columns(con):
    mart.build(con)
    for table, columns in (("concentration", mart.CONCENTRATION_COLUMNS),
                           ("concentration_shares", mart.SHARES_COLUMNS)):
        cur = con.execute(f"SELECT * FROM marts.{table}")
        assert cur.fetchall() == []
        assert [d[0] for d in cur.description] == list(columns)


def test_missing_core_tables_do_not_fail_the_build():
    db = duckdb.connect(":memory:")
    mart.build(db)
    assert db.execute("SELECT count(*) FROM marts.concentration").fetchone()[0] == 0


def test_build_is_idempotent(con):
    add_shares(con, "cloud_infrastructure_synergy", "2025-10-01", "2025Q4", {"AWS": 28, "Microsoft": 21, "Google": 15})
    mart.build(con)
    first = rows(con)
    mart.build(con)
    assert rows(con) == first


@pytest.mark.parametrize("low, high, guidelines, expected", [
    (1450, 1936, "us2023", "Between moderately and highly concentrated under the 2023 US Merger Guidelines"),
    (598, 598, "us2023", "Unconcentrated under the 2023 US Merger Guidelines (HHI below 1,000)"),
    (1506, 1554, "us2010", "Moderately concentrated under the 2010 US Horizontal Merger Guidelines"),
    (1450, 1936, "eu2004", "Moderate concentration under the 2004 EU Horizontal Merger Guidelines"),
])
def test_interval_verdict(low, high, guidelines, expected):
    assert c.interval_verdict(low, high, guidelines).startswith(expected)


# --------------------------------------------------------------------------- through the pipeline

def test_offline_build_from_the_seed_gives_the_cloud_intervals(settings):
    report = pipeline.run(mode="offline", settings=settings, log=QUIET)
    assert report.published
    db = duckdb.connect(settings.db_path, read_only=True)
    try:
        got = {(m, p): (lo, hi) for m, p, lo, hi in db.execute(
            "SELECT market, period_label, hhi_low, hhi_high FROM marts.concentration").fetchall()}
        markets = {m for m, _ in got}
    finally:
        db.close()
    # 2025Q4: AWS 28, Microsoft 21, Google 15 and CoreWeave's published 1.26%; every unlisted firm capped at
    # Alibaba's 4% in Synergy's 2025Q2 tail (docs/METHODOLOGY.md §1.10), not at Google's 15% (1,936)
    low = 28**2 + 21**2 + 15**2 + 1.26**2
    assert got[("cloud_infrastructure_synergy", "2025Q4")] == pytest.approx((low, low + 8 * 16 + 2.74**2))
    assert got[("cloud_infrastructure_synergy", "2025Q2")] == pytest.approx((1506, 1554), abs=0.5)
    assert {"cloud_infrastructure_synergy", "cloud_infrastructure_canalys", "datacenter_gpu_shipments",
            "ai_accelerators_revenue", "ai_chip_owners_epoch"} <= markets
    assert "datacenter_ai_accelerators" not in markets  # shipments and revenue are never one series


def _hand_host_hhi(captures) -> dict[tuple[str, str], tuple[float, bool]]:
    """Per (capture day, model): each machine's GPUs = round(num_gpus / gpu_frac), once; hosts summed; HHI;
    and whether the query returned 64 offers (the server's cap when no limit is sent)."""
    from etl.sources import vast

    out = {}
    for day_dir in sorted((captures / "vast").iterdir()):
        if not day_dir.is_dir():
            continue
        machines: dict[tuple, tuple] = {}
        capped: dict[str, bool] = {}
        for path in sorted(day_dir.glob("*_*.json")):
            offers = json.loads(path.read_bytes())["offers"]
            for offer in offers:
                model = vast.gpu_model(offer.get("gpu_name"), offer.get("gpu_ram"))
                capped[model] = capped.get(model, False) or len(offers) >= 64
                n, frac = offer.get("num_gpus") or 0, offer.get("gpu_frac")
                if n <= 0:
                    continue
                gpus = round(n / frac) if frac else n
                key = (model, str(offer["machine_id"]))
                machines[key] = (max(machines.get(key, (0,))[0], gpus), str(offer["host_id"]))
        hosts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for (model, _), (gpus, host) in machines.items():
            hosts[model][host] += gpus
        for model, per_host in hosts.items():
            out[(day_dir.name, model)] = (c.hhi(c.shares_from_values(list(per_host.values()))), capped[model])
    return out


@pytest.mark.captures
def test_replaying_the_vast_captures_gives_daily_host_hhis_per_model(captures, settings):
    report = pipeline.run(["vast"], mode="replay", replay_dir=captures, settings=settings, log=QUIET)
    assert [(r.source, r.status) for r in report.results] == [("vast", "ok")]
    db = duckdb.connect(settings.db_path, read_only=True)
    try:
        got = {(d, m): (h, cap) for d, m, h, cap in db.execute(
            "SELECT period_label, gpu_model, hhi, sample_capped FROM marts.concentration "
            "WHERE market = 'vast_hosts' ORDER BY period").fetchall()}
    finally:
        db.close()
    print("Vast.ai host-level HHI per day and model:", {k: round(v[0]) for k, v in got.items()})
    assert len({d for d, _ in got}) == 6
    hand = _hand_host_hhi(captures)
    assert set(got) == set(hand)
    assert {k: v[0] for k, v in got.items()} == pytest.approx({k: v[0] for k, v in hand.items()})
    assert {k: v[1] for k, v in got.items()} == {k: v[1] for k, v in hand.items()}
    # the figures for 2026-03-04 (issue 11), each machine counted once
    for model, hhi in {"H100 SXM": 1304, "H200": 2099, "L40S": 3264, "V100": 2775}.items():
        assert round(got[("2026-03-04", model)][0]) == hhi
    assert got[("2026-03-04", "V100")][1] and not got[("2026-03-04", "H100 SXM")][1]  # V100 hit the 64-offer cap


# --------------------------------------------------------------------------- declared markets (§1.8-§1.10)

def test_undisclosed_owners_give_a_lumped_to_fragmented_interval_and_low_coverage_is_withheld(con):
    add_shares(con, "ai_compute_by_owner_epoch", "2019-12-31", "end-2019",
               {"Undisclosed owner (China)": 42, "Meta": 30, "Google": 28}, basis="capacity (H100e)")
    mart.build(con)
    row = rows(con, "ai_compute_by_owner_epoch")[0]
    assert (row["hhi_low"], row["hhi_high"]) == pytest.approx((30**2 + 28**2, 42**2 + 30**2 + 28**2))
    assert row["bounded"] and row["basis"] == "capacity owned" and row["coverage_pct"] == 20
    assert row["withheld"] and row["withheld_reason"].startswith("coverage about 10-20%")
    assert "undisclosed owners' 42%" in row["low_assumption"] and "one owner" in row["high_assumption"]


def test_a_change_of_basis_breaks_the_accelerator_series_into_two_markets(con):
    add_shares(con, "datacenter_ai_accelerators", "2023-01-01", "2023", {"NVIDIA": 98}, basis="shipments")
    add_shares(con, "datacenter_ai_accelerators", "2025-01-01", "2025", {"NVIDIA": 85}, basis="revenue",
               ranges={"NVIDIA": (80, 90)})
    mart.build(con)
    got = {r["market"]: r for r in rows(con)}
    assert set(got) == {"datacenter_gpu_shipments", "ai_accelerators_revenue"}
    assert (got["datacenter_gpu_shipments"]["basis"], got["ai_accelerators_revenue"]["basis"]) == ("shipments", "revenue")
    assert "custom chips" in got["ai_accelerators_revenue"]["market_label"]


SYNERGY = "cloud_infrastructure_synergy"


def test_an_unlisted_firm_is_capped_at_the_next_firm_of_a_published_tail_and_the_trend_keeps_the_usual_firms(con):
    add_shares(con, SYNERGY, "2025-04-01", "2025Q2", {"AWS": 30, "Microsoft": 20, "Google": 13, "Alibaba": 4,
                                                     "Oracle": 3, "Salesforce": 2, "IBM": 2, "Tencent": 2})
    add_shares(con, SYNERGY, "2025-07-01", "2025Q3", {"AWS": 29, "Microsoft": 20, "Google": 13, "Oracle": 3})
    add_shares(con, SYNERGY, "2025-10-01", "2025Q4", {"AWS": 28, "Microsoft": 21, "Google": 15})
    add_shares(con, SYNERGY, "2025-01-01", "2025Q1", {"AWS": 29, "Microsoft": 22, "Google": 12})
    add_shares(con, SYNERGY, "2023-01-01", "2023Q1", {"AWS": 33, "Microsoft": 23, "Google": 10})  # > 400 days away
    mart.build(con)
    got = {r["period_label"]: r for r in rows(con, SYNERGY)}
    q4 = got["2025Q4"]
    assert (q4["hhi_low"], q4["hhi_high"]) == pytest.approx((1450, 1450 + 9 * 16))
    assert q4["cap_pct"] == 4 and q4["cap_source"] == "Alibaba's share in the 2025Q2 published tail"
    assert "firms of 4% (Alibaba's share in the 2025Q2 published tail)" in q4["high_assumption"]
    q3 = got["2025Q3"]  # Oracle (3%) is listed but Alibaba (4%) is not: the cap is Alibaba's, not Oracle's
    assert q3["hhi_high"] == pytest.approx(29**2 + 20**2 + 13**2 + 9 + 8 * 16 + 3**2)
    assert q3["trend_hhi_low"] == pytest.approx(29**2 + 20**2 + 13**2) and q3["trend_set"] == "AWS, Microsoft, Google"
    q2 = got["2025Q2"]  # the tail itself: everything beyond it is at most its smallest firm (2%)
    assert q2["hhi_high"] == pytest.approx(q2["hhi_low"] + 12 * 4) and q2["cap_pct"] == 2
    assert q2["trend_hhi_high"] == pytest.approx(900 + 400 + 169 + 9 * 16 + 1)  # usual firms, Alibaba's cap
    # no tail within about four quarters: capped at the smallest listed share, 10% (§1.4)
    assert got["2023Q1"]["cap_pct"] is None and got["2023Q1"]["hhi_high"] == pytest.approx(1718 + 3 * 100 + 4**2)
    # the listed set changes 2025Q1 -> Q2 -> Q3 -> Q4: method breaks, named
    assert [got[p]["method_break"] for p in ("2023Q1", "2025Q1", "2025Q2", "2025Q3", "2025Q4")] == [
        False, False, True, True, True]
    assert got["2025Q4"]["break_reason"] == "listed firms change: -Oracle"
    assert q4["reading"] == ("Moderately concentrated under the 2023 US Merger Guidelines: HHI 1,450 to 1,594, "
                             "whichever assumption holds.")
