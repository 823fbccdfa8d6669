"""Akash Console API: prices, daily GPU breakdown, providers and graph data (hand-made fixtures)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import akash

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def parse(path, name=None):
    path = Path(path)
    return list(akash.parse(Payload(path.read_bytes(), "test", AT, name or path.name)))


def test_gpu_prices_become_one_usd_per_gpu_hour_row_per_priced_model(fixture_path):
    out = parse(fixture_path("akash_gpu-prices.json"))
    assert [r["table"] for r in out] == ["gpu_prices"] * 3  # the model with price null has no row
    h100, a100, rtx = out
    assert h100["price_usd_per_gpu_hour"] == 1.5  # the median, in USD already (not micro-units)
    assert "min 1.1, max 2.6" in h100["note"] and "weighted avg 1.62" in h100["note"]
    assert (h100["provider"], h100["segment"], h100["price_type"], h100["gpu_count"]) == ("akash", "depin",
                                                                                           "on_demand", 1)
    assert h100["observed_at"] == AT
    assert (h100["gpu_model"], h100["gpu_model_raw"]) == ("H100 SXM", "nvidia h100 80Gi sxm5")
    assert a100["gpu_model"] == "A100 40GB"  # memory decides, never the 80GB by default
    assert rtx["gpu_model"] == "RTX 4090"


def test_the_price_stays_in_usd_and_a_foreign_currency_fails(fixture_path):
    doc = json.loads(fixture_path("akash_gpu-prices.json").read_text())
    doc["models"][0]["price"]["currency"] = "uakt"
    with pytest.raises(ValueError, match="currency"):
        list(akash.parse(Payload(json.dumps(doc).encode(), "t", AT, "gpu-prices.json")))


def test_gpu_breakdown_is_a_daily_supply_history_per_model(fixture_path):
    out = parse(fixture_path("akash_gpu-breakdown.json"))
    assert [r["table"] for r in out] == ["supply"] * 4
    first = out[0]
    assert (first["observed_at"], first["network"], first["segment"]) == ("2025-06-01T00:00:00.000Z", "Akash", "depin")
    assert (first["gpu_model"], first["gpus_total"], first["gpus_in_use"]) == ("H100 SXM", 72, 50)
    assert out[3]["gpu_model"] == "RTX 4090" and out[3]["gpus_in_use"] == 20
    assert first.get("host_id") is None  # network totals, not one host


def test_providers_become_host_level_supply_rows(fixture_path):
    out = {r["host_id"]: r for r in parse(fixture_path("akash_providers.json"))}
    assert sorted(out) == ["akash1aaaa", "akash1bbbb", "akash1eeee"]  # offline and GPU-less skipped
    alpha, beta, legacy = out["akash1aaaa"], out["akash1bbbb"], out["akash1eeee"]
    assert (alpha["gpus_total"], alpha["gpus_in_use"], alpha["region"]) == (8, 6, "US")
    assert alpha["gpu_model"] == "H100 SXM" and alpha["observed_at"] == AT
    assert (beta["gpus_total"], beta["gpus_in_use"]) == (13, 3)  # total = active + available + pending
    assert beta["gpu_model"] is None and "a100" in beta["gpu_model_raw"] and "rtx4090" in beta["gpu_model_raw"]
    assert (legacy["gpus_total"], legacy["gpus_in_use"], legacy["region"]) == (3, 2, None)  # older *Stats shape


def test_graph_data_becomes_indicators_in_usd_and_leases(fixture_path):
    spend = parse(fixture_path("akash_graph-data-dailyUUsdSpent.json"))
    leases = parse(fixture_path("akash_graph-data-activeLeaseCount.json"))
    assert [(r["indicator"], r["period"][:10], r["value"], r["unit"], r["entity"]) for r in spend] == [
        ("akash_daily_spend_usd", "2025-06-01", 24000.0, "USD", "Akash"),
        ("akash_daily_spend_usd", "2025-06-02", 25500.0, "USD", "Akash"),
    ]
    assert [(r["indicator"], r["value"], r["unit"]) for r in leases] == [
        ("akash_active_leases", 1466, "leases"), ("akash_active_leases", 1480, "leases")]


def test_every_fixture_validates_without_rejects(fixture_path):
    parsed = [r for name in ("gpu-prices", "gpu-breakdown", "providers", "graph-data-dailyUUsdSpent",
                             "graph-data-activeLeaseCount")
              for r in parse(fixture_path(f"akash_{name}.json"))]
    data = warehouse.validate("akash", parsed, default_segment="depin")
    assert data.rejects == []
    assert {t: len(v) for t, v in data.rows.items() if v} == {"gpu_prices": 3, "supply": 7, "indicators": 4}


def test_payloads_are_recognised_by_shape_when_the_name_says_nothing(fixture_path):
    assert parse(fixture_path("akash_gpu-prices.json"), name="a.json")[0]["table"] == "gpu_prices"
    assert parse(fixture_path("akash_gpu-breakdown.json"), name="b.json")[0]["table"] == "supply"
    assert parse(fixture_path("akash_providers.json"), name="c.json")[0]["host_id"] == "akash1aaaa"
    with pytest.raises(ValueError, match="names none of"):  # graph data must say which series it is
        parse(fixture_path("akash_graph-data-activeLeaseCount.json"), name="d.json")


@pytest.mark.parametrize("body, name", [(b'{"error": "x"}', "gpu-prices.json"), (b"{}", "providers.json"),
                                        (b"<html>", "gpu-breakdown.json"), (b'"x"', "unknown.json")])
def test_unexpected_payloads_fail_loudly(body, name):
    with pytest.raises(ValueError, match="akash"):
        list(akash.parse(Payload(body, "t", AT, name)))


@responses.activate
def test_fetch_calls_every_endpoint_keyless_as_one_snapshot(client, fixture_path):
    files = {"gpu-prices": "akash_gpu-prices.json", "gpu-breakdown": "akash_gpu-breakdown.json",
             "providers": "akash_providers.json", "graph-data/dailyUUsdSpent": "akash_graph-data-dailyUUsdSpent.json",
             "graph-data/activeLeaseCount": "akash_graph-data-activeLeaseCount.json"}
    for path, fixture in files.items():
        responses.add(responses.GET, f"{akash.BASE}/v1/{path}", body=fixture_path(fixture).read_bytes(),
                      content_type="application/json")
    payloads = akash.fetch(client)
    assert [p.name for p in payloads] == ["gpu-prices.json", "gpu-breakdown.json", "providers.json",
                                          "graph-data-dailyUUsdSpent.json", "graph-data-activeLeaseCount.json"]
    assert len({p.fetched_at for p in payloads}) == 1
    assert all("Authorization" not in c.request.headers for c in responses.calls)
    assert sum(1 for p in payloads for _ in akash.parse(p)) == 14


def test_source_declares_no_capture_so_the_seeded_schema_example_is_never_loaded():
    assert akash.SOURCE.captures == ()
    assert (akash.SOURCE.segment, akash.SOURCE.load) == ("depin", "append")
    assert set(akash.SOURCE.tables) == {"gpu_prices", "supply", "indicators"}


@pytest.mark.captures
def test_the_schema_example_has_the_shape_the_parser_reads(captures):
    path = captures / "akash" / "gpu-prices.schema-example.json"
    out = list(akash.parse(Payload.from_file(path)))
    assert [r["table"] for r in out] == ["gpu_prices"]  # one model has a price, the other null


@pytest.mark.captures
def test_the_documented_providers_record_gives_one_host_supply_row_from_stats_gpu(captures):
    out = list(akash.parse(Payload.from_file(captures / "akash" / "providers.doc-example.json")))
    [row] = out
    assert (row["table"], row["gpus_total"], row["gpus_in_use"]) == ("supply", 1, 0)  # stats.gpu: total 1, active 0
    assert row["gpu_model_raw"] and row["host_id"].startswith("akash1")
    assert warehouse.validate("akash", out).rejects == []


@pytest.mark.captures
def test_the_seeded_gpu_breakdown_with_text_utilisation_parses(captures):
    out = list(akash.parse(Payload.from_file(captures / "akash" / "gpu-breakdown.schema-example.json")))
    assert len(out) == 4 and {r["table"] for r in out} == {"supply"}
    assert all(r["note"].endswith("100% utilised") for r in out)  # "100.00" read as a number
    assert warehouse.validate("akash", out).rejects == []
