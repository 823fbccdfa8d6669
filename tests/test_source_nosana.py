"""Nosana markets (hand-made fixture in the documented shape)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import nosana

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def parse(body: bytes):
    return list(nosana.parse(Payload(body, "test", AT, "markets.json")))


def test_price_includes_the_network_fee_and_is_per_gpu(fixture_path):
    out = parse(fixture_path("nosana_markets.json").read_bytes())
    assert len(out) == 3  # the market without a USD price makes no row
    premium, community, eight = out
    assert premium["price_usd_per_gpu_hour"] == pytest.approx(0.32, abs=1e-4)  # 0.2909 * 1.10
    assert community["price_usd_per_gpu_hour"] == pytest.approx(1.125, abs=1e-4)
    assert eight["gpu_count"] == 8 and eight["price_usd_per_gpu_hour"] == pytest.approx(18.2 / 8, abs=1e-3)
    assert [r["price_type"] for r in out] == ["on_demand", "community", "on_demand"]
    assert [r["gpu_model"] for r in out] == ["RTX 4090", "H100 SXM", "H100 SXM"]
    assert community["gpu_model_raw"] == "NVIDIA H100"  # several gpu_types: the market name, tier dropped
    assert {(r["provider"], r["segment"]) for r in out} == {("nosana", "depin")}
    assert "host reward 0.2909 USD/h + 10% network fee" in premium["note"]
    assert warehouse.validate("nosana", out, default_segment="depin").rejects == []


@pytest.mark.parametrize("market, n", [({"name": "NVIDIA 8x H100"}, 8), ({"slug": "nvidia-8x-a5000"}, 8),
                                       ({"name": "NVIDIA 4090"}, 1), ({"name": "2xA100"}, 2), ({}, 1)])
def test_gpu_count_from_name_or_slug(market, n):
    assert nosana.gpu_count(market) == n


def test_a_non_list_payload_fails_loudly():
    with pytest.raises(ValueError, match="nosana"):
        parse(b'{"message": "Internal server error"}')


@responses.activate
def test_fetch_reads_the_markets_list(client, fixture_path):
    responses.add(responses.GET, nosana.URL, body=fixture_path("nosana_markets.json").read_bytes(),
                  content_type="application/json")
    (payload,) = nosana.fetch(client)
    assert payload.name == "markets.json" and len(list(nosana.parse(payload))) == 3
