"""io.net explorer market snapshot (hand-made fixture in the documented shape)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

from etl import config, warehouse
from etl.provenance import Payload
from etl.sources import ionet

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def parse(body: bytes):
    return list(ionet.parse(Payload(body, "test", AT, "market-snapshot.json")))


def test_one_price_and_one_supply_row_per_gpu_model(fixture_path):
    out = parse(fixture_path("ionet_market-snapshot.json").read_bytes())
    prices = [r for r in out if r["table"] == "gpu_prices"]
    supply = [r for r in out if r["table"] == "supply"]
    assert [r["gpu_model_raw"] for r in prices] == ["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4090"]  # no CPU
    assert [r["price_usd_per_gpu_hour"] for r in prices] == [2.19, 0.44]
    assert prices[1]["note"] == "bare metal product price"  # `price` missing: the first priced product
    assert {(r["provider"], r["segment"], r["price_type"]) for r in prices} == {("ionet", "depin", "on_demand")}
    assert [r["gpu_model"] for r in prices] == ["H100 SXM", "RTX 4090"]
    assert [(r["gpus_total"], r["gpus_in_use"]) for r in supply] == [(420, 260), (1500, 400)]
    assert {r["network"] for r in supply} == {"io.net"} and {r["observed_at"] for r in out} == {AT}
    assert warehouse.validate("ionet", out, default_segment="depin").rejects == []


@pytest.mark.parametrize("body", [b'{"status": "failed", "data": []}', b'{"detail": "Not found"}', b"[1, 2]"])
def test_unexpected_payloads_fail_loudly(body):
    with pytest.raises(ValueError, match="ionet"):
        parse(body)


@responses.activate
def test_fetch_sends_explorer_origin_and_the_optional_key(client, monkeypatch, fixture_path):
    body = fixture_path("ionet_market-snapshot.json").read_bytes()
    responses.add(responses.GET, ionet.URL, body=body, content_type="application/json")
    responses.add(responses.GET, ionet.URL, body=body, content_type="application/json")
    ionet.fetch(client)
    first = responses.calls[0].request
    assert first.headers["Origin"] == "https://explorer.io.net" and "x-api-key" not in first.headers
    assert "Frontend-Version" not in first.headers  # SOURCES.md: only the device endpoints want it
    monkeypatch.setenv("IONET_API_KEY", "io-key")
    assert ionet.SOURCE.needs_key in config.API_KEY_VARS
    ionet.fetch(type(client)(config.get()))
    assert responses.calls[1].request.headers["x-api-key"] == "io-key"
