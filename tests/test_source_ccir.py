"""ccir: published CRI indices -> indicators, reference rates -> aggregator price rows; failures, fetch, captures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

from etl import reference, warehouse
from etl.provenance import Payload
from etl.sources import ccir

AT = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)


def parse(body: bytes, name: str) -> list[dict]:
    return list(ccir.parse(Payload(body, "test", AT, name)))


def test_index_rows_are_published_price_index_indicators(fixture_path):
    rows = parse(fixture_path("ccir_cri-h100-index.csv").read_bytes(), "cri-h100-index.csv")
    # the third line has no value (a failed week): no row, never a zero
    assert [(r["period"], r["entity"], r["value"]) for r in rows] == [
        ("2026-01-07", "CCIR CRI-H100", 1.9), ("2026-01-14", "CCIR CRI-H100", 1.8125)]
    first = rows[0]
    assert (first["table"], first["indicator"], first["unit"]) == ("indicators", "published_price_index",
                                                                    "USD per GPU-hour")
    assert (first["value_low"], first["value_high"], first["ref_date"]) == (1.5, 2.4, "2026-01-08")
    assert "methodology 1.1.0" in first["note"] and "low_confidence True" in first["note"]
    assert "20 observations, 2 valid days" in first["note"]
    assert ccir.SERIES[first["entity"]] == {"gpu_model": "H100 SXM", "segment": "marketplace", "geo": "US",
                                            "price_type": "on_demand"}


def test_index_value_column_of_the_other_indices(fixture_path):
    rows = parse(fixture_path("ccir_cri-l40s-index.csv").read_bytes(), "cri-l40s-index.csv")
    assert [(r["entity"], r["value"], r["period"]) for r in rows] == [("CCIR CRI-L40S", 0.88, "2026-01-14")]
    assert all(r["entity"] in ccir.SERIES for r in rows)


def test_reference_rates_map_terms_to_price_types_and_keep_the_effective_date(fixture_path):
    rows = parse(fixture_path("ccir_reference-rates.csv").read_bytes(), "reference-rates-2026-01-10.csv")
    by = {r["note"].split(":")[0].removeprefix("CCIR "): r for r in rows}
    assert {k: v["price_type"] for k, v in by.items()} == {
        "aws-h100-us-east-1": "on_demand", "azure-h100-spot-eastus": "spot", "gcp-h100-spot-us-central1": "spot",
        "runpod-h100-sxm-secure": "on_demand", "runpod-h100-sxm-community": "community",
        "runpod-h100-sxm-spot": "spot"}
    aws = by["aws-h100-us-east-1"]
    assert (aws["provider"], aws["segment"], aws["gpu_model"], aws["gpu_count"]) == (
        "aws", reference.segment_for("aws"), "H100 SXM", 8)
    assert (aws["price_usd_per_gpu_hour"], aws["region"], aws["ref_date"]) == (6.5, "us-east-1", None)
    assert by["azure-h100-spot-eastus"]["ref_date"] == "2026-01-01"
    assert by["gcp-h100-spot-us-central1"]["gpu_count"] == 1  # blank gpus_per_vm: a per-GPU SKU
    assert "term secure_spot" in by["runpod-h100-sxm-spot"]["note"]
    assert {r["observed_at"] for r in rows} == {"2026-01-10T12:00:00+00:00"}
    assert aws["ref_url"].endswith("/data/reference-rates/2026-01-10.csv")
    checked = warehouse.validate("ccir", rows)
    assert checked.rejects == [] and len(checked.rows["gpu_prices"]) == 6


@pytest.mark.parametrize("body, message", [
    (b"<!DOCTYPE html><html><body>rate limited</body></html>", "got HTML"),
    (b"", "is empty"),
    (b"publication_date,window_end,index_name\n2026-01-15,2026-01-14,CRI-H100\n", "lacks columns"),
])
def test_bad_index_payloads_fail_loudly(body, message):
    with pytest.raises(ValueError, match=message):
        parse(body, "cri-h100-index.csv")


def test_reference_rates_without_a_price_column_fail(fixture_path):
    body = fixture_path("ccir_reference-rates.csv").read_text().replace("price_per_gpu_hr", "price")
    with pytest.raises(ValueError, match="price_per_gpu_hr"):
        parse(body.encode(), "reference-rates-2026-01-10.csv")


@responses.activate
def test_fetch_reads_four_indices_and_the_newest_reference_rates(client, fixture_path):
    for name in ccir.INDEX_FILES:
        responses.get(f"{ccir.RAW}/outputs/{name}", body=fixture_path("ccir_cri-l40s-index.csv").read_bytes())
    responses.get(ccir.LISTING_URL, json=[{"name": "2026-01-03.csv"}, {"name": "2026-01-10.csv"},
                                          {"name": "README.md"}, {"name": "2026-01-10.json"}])
    responses.get(f"{ccir.RAW}/data/reference-rates/2026-01-10.csv",
                  body=fixture_path("ccir_reference-rates.csv").read_bytes())
    payloads = ccir.fetch(client)
    assert [p.name for p in payloads] == [*ccir.INDEX_FILES, "reference-rates-2026-01-10.csv"]
    rows = [r for p in payloads for r in ccir.parse(p)]
    assert sum(r["table"] == "gpu_prices" for r in rows) == 6


@pytest.mark.captures
def test_replay_of_the_captures_gives_the_published_values(captures):
    rows = [r for pattern in ccir.SOURCE.captures for path in sorted(captures.glob(pattern))
            for r in ccir.parse(Payload.from_file(path))]
    values = {(r["entity"], r["period"]): r["value"] for r in rows if r["table"] == "indicators"}
    assert values[("CCIR CRI-H100", "2026-03-04")] == 1.735
    assert values[("CCIR CRI-H200", "2026-03-04")] == 2.3237
    assert values[("CCIR CRI-4090", "2026-03-04")] == 0.4007
    assert values[("CCIR CRI-L40S", "2026-03-04")] == 0.937
    prices = [r for r in rows if r["table"] == "gpu_prices"]
    assert len(prices) == 18 and {r["provider"] for r in prices} == {"aws", "azure", "gcp", "runpod"}
    checked = warehouse.validate("ccir", rows)
    assert checked.rejects == []
    azure = next(r for r in prices if "azure-h100-eastus" in r["note"])
    assert (azure["price_usd_per_gpu_hour"], azure["ref_date"]) == (6.98, "2024-03-01")
