"""gpu_price_index: daily segment series -> indicators, raw observations -> aggregator price rows; failures, fetch, captures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import gpu_price_index as gpi

AT = datetime(2026, 10, 2, 7, 0, tzinfo=UTC)


def parse(body: bytes, name: str) -> list[dict]:
    return list(gpi.parse(Payload(body, "test", AT, name)))


def test_history_rows_are_indicators_named_by_gpu_key_and_series(fixture_path):
    rows = parse(fixture_path("gpu_price_index_index-history.csv").read_bytes(), "index-history.csv")
    assert [(r["period"], r["entity"], r["value"]) for r in rows][:5] == [
        ("2026-09-29", "GPU Price Index H100 index", 3.8),
        ("2026-09-29", "GPU Price Index H100 hyperscaler", 12.0),
        ("2026-09-29", "GPU Price Index H100 neocloud", 3.8),
        ("2026-09-29", "GPU Price Index H100 marketplace", 2.6),
        ("2026-09-29", "GPU Price Index H100 spot", 2.9)]
    assert len(rows) == 7  # the blank L40S marketplace value makes no row
    assert {(r["indicator"], r["unit"]) for r in rows} == {("published_price_index", "USD per GPU-hour")}


@pytest.mark.parametrize("entity, meta", [
    ("GPU Price Index H100 neocloud", {"gpu_model": "H100 SXM", "segment": "neocloud", "price_type": "on_demand", "geo": "all"}),
    ("GPU Price Index H100 spot", {"gpu_model": "H100 SXM", "segment": "all", "price_type": "spot", "geo": "all"}),
    ("GPU Price Index A100-80GB-PCIe index", {"gpu_model": "A100 80GB", "segment": "all", "price_type": "on_demand", "geo": "all"}),
    ("GPU Price Index H100 weekly", None),
    ("CCIR CRI-H100", None),
])
def test_series_meta_says_what_an_entity_measures(entity, meta):
    assert gpi.series_meta(entity) == meta


def test_observations_are_per_gpu_prices_with_runpod_community_as_a_tier(fixture_path):
    rows = parse(fixture_path("gpu_price_index_observations.csv").read_bytes(), "observations_2026-10-01.csv")
    got = [(r["provider"], r["segment"], r["price_type"], r["gpu_model"], r["price_usd_per_gpu_hour"]) for r in rows]
    assert got == [
        ("aws", "hyperscaler", "on_demand", "H100 SXM", 6.88),
        ("gcp", "hyperscaler", "spot", "H100 SXM", 3.0),
        ("runpod", "neocloud", "on_demand", "H100 SXM", 2.69),
        ("runpod", "neocloud", "community", "H100 SXM", 2.39),
        ("vast", "marketplace", "on_demand", "H100 SXM", 2.1),
        ("lambda", "neocloud", "on_demand", "A100 80GB", 1.29)]
    assert rows[0]["gpu_count"] == 8 and rows[0]["region"] == "us-east-1" and rows[0]["gpu_model_raw"] == "H100"
    assert rows[0]["observed_at"] == "2026-10-01T06:17:00+00:00" and rows[0]["ref_date"] == "2026-10-01"
    assert "median of 22 offers" in rows[4]["note"]
    assert warehouse.validate("gpu_price_index", rows).rejects == []


@pytest.mark.parametrize("body, message", [
    (b"<html><head><title>404</title></head></html>", "got HTML"),
    (b"  \n", "is empty"),
    (b"date,gpu_model,usd_per_gpu_hour\n2026-09-29,H100,3.8\n", "lacks columns \\['series'\\]"),
])
def test_bad_history_payloads_fail_loudly(body, message):
    with pytest.raises(ValueError, match=message):
        parse(body, "index-history.csv")


def test_observations_without_a_price_column_fail(fixture_path):
    body = fixture_path("gpu_price_index_observations.csv").read_text().replace("usd_per_gpu_hour", "usd")
    with pytest.raises(ValueError, match="usd_per_gpu_hour"):
        parse(body.encode(), "observations_2026-10-01.csv")


@responses.activate
def test_fetch_reads_the_history_and_yesterdays_observations(client, fixture_path, monkeypatch):
    monkeypatch.setattr(gpi, "utcnow", lambda: datetime(2026, 10, 2, 9, 0, tzinfo=UTC))
    responses.get(gpi.HISTORY_URL, body=fixture_path("gpu_price_index_index-history.csv").read_bytes())
    responses.get(f"{gpi.RAW}/data/observations/2026/2026-10-01.csv",
                  body=fixture_path("gpu_price_index_observations.csv").read_bytes())
    payloads = gpi.fetch(client)
    assert [p.name for p in payloads] == ["index-history.csv", "observations_2026-10-01.csv"]
    assert sum(1 for p in payloads for _ in gpi.parse(p)) == 7 + 6


@pytest.mark.captures
def test_replay_of_the_captures(captures):
    rows = [r for pattern in gpi.SOURCE.captures for path in sorted(captures.glob(pattern))
            for r in gpi.parse(Payload.from_file(path))]
    series = [r for r in rows if r["table"] == "indicators"]
    prices = [r for r in rows if r["table"] == "gpu_prices"]
    assert len(series) == 353 and len(prices) == 161  # PROVENANCE.md: 161 rows once Azure was trimmed
    h100 = {r["period"]: r["value"] for r in series if r["entity"] == "GPU Price Index H100 index"}
    assert sorted(h100) == [f"2026-{d}" for d in ("09-29", "09-30", "10-01", "10-02", "10-03", "10-04", "10-05")]
    assert all(gpi.series_meta(r["entity"]) for r in series)
    assert {r["provider"] for r in prices} == {"aws", "coreweave", "crusoe", "gcp", "hyperstack", "lambda",
                                               "nebius", "oracle", "runpod", "vast"}
    assert warehouse.validate("gpu_price_index", rows).rejects == []
