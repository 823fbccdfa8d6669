"""tugot17/gpu-price-tracker summaries: fixture, fetch, and the real captures (integration, speed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import responses

from etl import pipeline, reference, warehouse
from etl.provenance import Payload
from etl.sources import gpu_price_tracker as gpt


def parse(path: Path):
    return list(gpt.parse(Payload(path.read_bytes(), "test", datetime(2026, 1, 1, tzinfo=UTC), path.name)))


def test_one_row_per_line_and_provider_at_the_provider_average(fixture_path):
    out = parse(fixture_path("gpu_price_tracker_H100_80GB_SXM5.jsonl"))
    assert [(r["observed_at"][:10], r["provider"], r["price_usd_per_gpu_hour"]) for r in out] == [
        ("2025-10-19", "runpod", 2.7), ("2025-10-19", "lambda", 3.29), ("2025-10-19", "newcloud", 1.4),
        ("2025-10-20", "runpod", 2.66), ("2025-10-20", "crusoe", 3.29)]
    assert {(r["gpu_model"], r["gpu_model_raw"]) for r in out} == {("H100 SXM", "H100_80GB_SXM5")}
    assert {r["price_type"] for r in out} == {"on_demand"}
    assert "avg of 4 listing(s) of 'runpod', min 2.69" in out[0]["note"]
    assert out[0]["observed_at"] == "2025-10-19T21:01:58.727366+00:00"  # the line's own timestamp


def test_segments_come_from_the_provider_table_and_unknown_providers_are_rejected(fixture_path):
    out = parse(fixture_path("gpu_price_tracker_H100_80GB_SXM5.jsonl"))
    assert {r["provider"]: r["segment"] for r in out} == {
        "runpod": reference.segment_for("runpod"), "lambda": reference.segment_for("lambda"),
        "crusoe": reference.segment_for("crusoe"), "newcloud": None}
    data = warehouse.validate("gpu_price_tracker", out, default_segment=gpt.SOURCE.segment)
    assert len(data.rows["gpu_prices"]) == 4
    ((table, reason, record),) = data.rejects
    assert record["provider"] == "newcloud" and "newcloud" in reason and "providers.csv" in reason


@pytest.mark.parametrize("body", [b"<!DOCTYPE html><html>404</html>", b'{"timestamp": "x"}\n', b"{not json\n"])
def test_unexpected_payloads_fail_loudly(body):
    with pytest.raises(ValueError, match="gpu_price_tracker"):
        list(gpt.parse(Payload(body, "t", datetime(2026, 1, 1, tzinfo=UTC), "H100_80GB_SXM5.jsonl")))


@responses.activate
def test_fetch_downloads_the_seven_summary_files(client, fixture_path):
    for name in gpt.FILES:
        responses.add(responses.GET, gpt.RAW.format(name),
                      body=fixture_path("gpu_price_tracker_H100_80GB_SXM5.jsonl").read_bytes())
    payloads = gpt.fetch(client)
    assert len(gpt.FILES) == 7 and [p.name for p in payloads] == [f"{n}.jsonl" for n in gpt.FILES]
    assert all(c.request.url.startswith("https://raw.githubusercontent.com/tugot17/gpu-price-tracker/main/data/summary/")
               for c in responses.calls)
    assert gpt.SOURCE.license.name == "MIT" and gpt.SOURCE.load == "append"


def _expected_rows(lines: list[dict]) -> int:
    """One row per provider entry, except that a provider with spot deals gives one row per deal instead."""
    spot = [gpt._spot_deals(doc) for doc in lines]
    return sum(len(doc["by_provider"]) - len(s) + sum(map(len, s.values())) for doc, s in zip(lines, spot, strict=True))


@pytest.mark.captures
def test_all_seven_captures_parse_with_one_row_per_provider_entry_or_spot_deal(captures):
    files = sorted(p for pattern in gpt.SOURCE.captures for p in captures.glob(pattern))
    assert len(files) == 7
    lines = [json.loads(line) for f in files for line in f.open() if line.strip()]
    expected = _expected_rows(lines)
    out = [r for f in files for r in gpt.parse(Payload.from_file(f))]
    assert len(out) == expected and sum(len(doc["by_provider"]) for doc in lines) == 25956
    assert {r["gpu_model"] for r in out} == {"H100 SXM", "H100 PCIe", "H200", "A100 80GB", "B200", "GH200"}


@pytest.mark.captures
def test_replay_loads_the_backfill(captures, settings):
    report = pipeline.run(["gpu_price_tracker"], mode="replay", replay_dir=captures, settings=settings,
                          log=open("/dev/null", "w"))
    ((result),) = report.results
    assert result.status == "ok", result.error
    con = duckdb.connect(settings.db_path, read_only=True)
    try:
        n, days, providers = con.execute(
            "SELECT count(*), count(DISTINCT CAST(observed_at AS DATE)), count(DISTINCT provider) "
            "FROM core.gpu_prices WHERE source = 'gpu_price_tracker'").fetchone()
    finally:
        con.close()
    lines = [json.loads(line) for f in sorted((captures / "prime_intellect").glob("*.jsonl")) for line in f.open()
             if line.strip()]
    assert n == result.rows_loaded == _expected_rows(lines) - result.rows_rejected
    assert days >= 28 and providers >= 10


def test_spot_best_deals_are_spot_rows_and_their_providers_mixed_average_is_not_on_demand():
    line = {"timestamp": "2025-10-19T21:01:58+00:00", "gpu_type": "H100_80GB", "socket_type": "SXM5",
            "by_provider": {"runpod": {"count": 4, "min": 2.69, "avg": 2.7},
                            "primecompute": {"count": 4, "min": 1.0, "avg": 1.4}},
            "by_config": {"1x": {"count": 4, "min_per_gpu": 2.69, "best_deal": {"provider": "runpod", "spot": False}},
                          "8x": {"count": 9, "min_per_gpu": 1.0,
                                 "best_deal": {"provider": "primecompute", "location": "US", "spot": True}}}}
    rows = list(gpt.parse(Payload(json.dumps(line).encode(), "u", datetime(2026, 1, 1, tzinfo=UTC), "H100_80GB_SXM5.jsonl")))
    got = [(r["provider"], r["price_type"], r["price_usd_per_gpu_hour"], r.get("gpu_count")) for r in rows]
    assert got == [("primecompute", "spot", 1.0, 8), ("runpod", "on_demand", 2.7, None)]
    assert "mixes spot and on-demand and is not loaded" in rows[0]["note"]


@pytest.mark.captures
def test_real_spot_deals_are_never_labelled_on_demand(captures):
    rows = [r for path in sorted((captures / "prime_intellect").glob("*.jsonl"))
            for r in gpt.parse(Payload.from_file(path))]
    spot = [r for r in rows if r["price_type"] == "spot"]
    assert {r["provider"] for r in spot} == {"datacrunch", "primecompute"}
    spot_times = {(r["observed_at"], r["provider"], r["gpu_model"]) for r in spot}
    on_demand = {(r["observed_at"], r["provider"], r["gpu_model"]) for r in rows if r["price_type"] == "on_demand"}
    assert spot_times and not spot_times & on_demand  # no mixed average beside a spot deal
