"""azure_retail_prices: parser on a hand-made page, paging (NextPageLink and $skip), retries, failures, capture."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from etl import warehouse
from etl.http import FetchError
from etl.provenance import Payload
from etl.sources import azure_retail_prices as src

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

GPU_MODELS = """gpu_model,aliases
H100 SXM,H100 SXM5|H100 80GB HBM3
H100 NVL,
H200,H200 SXM
A100 80GB,A100 80GB PCIe|A100 SXM4 80 GB
A100 40GB,
MI300X,Instinct MI300X
"""
PROVIDERS = "provider,segment\nazure,hyperscaler\n"


@pytest.fixture(autouse=True)
def seed(mini_seed):
    return mini_seed(GPU_MODELS, PROVIDERS)


def payload_of(path, url="https://prices.azure.com/api/retail/prices") -> Payload:
    return Payload(body=path.read_bytes(), url=url, fetched_at=AT, name=path.name)


def test_parse_keeps_linux_on_demand_and_spot_divided_by_gpus(fixture_path):
    rows = list(src.parse(payload_of(fixture_path("azure_retail_prices.json"))))
    got = [(r["offer_id"], r["region"], r["price_type"], r["gpu_model"], r["gpu_count"],
            round(r["price_usd_per_gpu_hour"], 6)) for r in rows]
    assert got == [
        ("Standard_ND96isr_H100_v5", "eastus", "on_demand", "H100 SXM", 8, 12.29),
        ("Standard_ND96isr_H100_v5", "eastus", "spot", "H100 SXM", 8, 2.271192),
        ("Standard_NC40ads_H100_v5", "westeurope", "on_demand", "H100 NVL", 1, 8.36),
        ("Standard_NC96ads_A100_v4", "southcentralus", "on_demand", "A100 80GB", 4, 3.673),
        ("Standard_ND96isr_MI300X_v5", "swedencentral", "on_demand", "MI300X", 8, 4.62),
    ]
    first = rows[0]
    assert first["provider"] == "azure" and first["segment"] == "hyperscaler"
    assert first["observed_at"] == AT
    assert first["gpu_model_raw"] == "H100 SXM"
    assert first["ref_date"] == "2023-08-01"
    assert first["note"] == "ND96isr H100 v5: 98.32 USD per VM-hour / 8 GPUs"
    # A100 80GB PCIe is the raw spelling; the seed alias makes it canonical
    assert rows[3]["gpu_model_raw"] == "A100 80GB PCIe"


def test_windows_low_priority_fractional_non_gpu_and_secondary_meters_are_skipped(fixture_path):
    rows = list(src.parse(payload_of(fixture_path("azure_retail_prices.json"))))
    notes = " ".join(r["note"] for r in rows)
    assert "Low Priority" not in notes
    assert all(r["offer_id"] in src.GPU_SKUS for r in rows)
    assert not any(r["offer_id"] == "Standard_NV6ads_A10_v5" for r in rows)  # 1/6 of an A10
    assert len([r for r in rows if r["offer_id"] == "Standard_ND96isr_H100_v5"]) == 2  # no Windows, no dup meter


def test_rows_validate_without_rejects(fixture_path):
    rows = list(src.parse(payload_of(fixture_path("azure_retail_prices.json"))))
    data = warehouse.validate("azure_retail_prices", rows, default_segment="hyperscaler")
    assert data.rejects == []
    assert len(data.rows["gpu_prices"]) == 5


def test_parse_accepts_a_bare_items_list():
    items = [{"armSkuName": "Standard_ND96isr_H200_v5", "armRegionName": "eastus2", "meterName": "ND96isr H200 v5",
              "productName": "Virtual Machines ND H200 v5 Series", "retailPrice": 84.8, "unitOfMeasure": "1 Hour",
              "type": "Consumption", "currencyCode": "USD"}]
    rows = list(src.parse(Payload(json.dumps(items).encode(), "x", AT)))
    assert [(r["gpu_model"], r["price_usd_per_gpu_hour"]) for r in rows] == [("H200", 10.6)]


@pytest.mark.parametrize("body, match", [
    (b'{"error": {"code": "BadRequest"}}', "'Items' list"),
    (b'"just a string"', "object or a list"),
    (b'{"Items": [{"armSkuName": "Standard_ND96isr_H100_v5", "retailPrice": 1}]}', "schema drift"),
    (b"<html>maintenance</html>", "not JSON"),
])
def test_malformed_payloads_raise_value_error(body, match):
    with pytest.raises(ValueError, match=match):
        list(src.parse(Payload(body, "x", AT)))


def item(sku="Standard_ND96isr_H100_v5", price=98.32):
    return {"armSkuName": sku, "armRegionName": "eastus", "meterName": "ND96isr H100 v5",
            "productName": "Virtual Machines NDsr H100 v5 Series", "retailPrice": price,
            "unitOfMeasure": "1 Hour", "type": "Consumption", "currencyCode": "USD"}


@responses.activate
def test_fetch_follows_next_page_link(client):
    nxt = "https://prices.azure.com:443/api/retail/prices?api-version=2023-01-01-preview&$filter=x&$skip=1000"
    responses.get(src.API_URL, json={"Items": [item()], "NextPageLink": nxt, "Count": 1})
    responses.get("https://prices.azure.com:443/api/retail/prices",
                  json={"Items": [item(price=90.0)], "NextPageLink": None, "Count": 1})
    payloads = src.fetch(client)
    assert [p.name for p in payloads] == ["page-001.json", "page-002.json"]
    first = parse_qs(urlparse(responses.calls[0].request.url).query)
    assert first["api-version"] == ["2023-01-01-preview"]
    assert "armSkuName eq 'Standard_ND96isr_H100_v5'" in first["$filter"][0]
    assert first["$filter"][0].startswith("serviceName eq 'Virtual Machines' and priceType eq 'Consumption'")
    assert "skip=1000" in responses.calls[1].request.url
    prices = [r["price_usd_per_gpu_hour"] for p in payloads for r in src.parse(p)]
    assert prices == [12.29, 11.25]


@responses.activate
def test_fetch_falls_back_to_skip_when_a_full_page_has_no_next_link(client, monkeypatch):
    monkeypatch.setattr(src, "PAGE_SIZE", 2)
    responses.get(src.API_URL, json={"Items": [item(), item()], "NextPageLink": None, "Count": 2})
    responses.get(src.API_URL, json={"Items": [item()], "NextPageLink": None, "Count": 1})
    payloads = src.fetch(client)
    assert len(payloads) == 2
    second = parse_qs(urlparse(responses.calls[1].request.url).query)
    assert second["$skip"] == ["2"]
    assert "$skip" not in parse_qs(urlparse(responses.calls[0].request.url).query)


@responses.activate
def test_fetch_stops_at_the_page_cap(client, monkeypatch):
    monkeypatch.setattr(src, "MAX_PAGES", 3)
    monkeypatch.setattr(src, "PAGE_SIZE", 1)
    for _ in range(3):
        responses.get(src.API_URL, json={"Items": [item()], "NextPageLink": None})
    with pytest.raises(FetchError, match="more than 3 pages"):
        src.fetch(client)
    assert len(responses.calls) == 3


@responses.activate
def test_fetch_html_instead_of_json_is_a_fetch_error(client):
    responses.get(src.API_URL, body="<!DOCTYPE html><html>Service Unavailable</html>", content_type="text/html")
    with pytest.raises(FetchError, match="expected JSON, got HTML"):
        src.fetch(client)


def test_real_capture_gives_the_per_gpu_h100_price(captures):
    files = sorted(captures.glob(src.SOURCE.captures[0]))
    assert [f.name for f in files] == ["retail-prices-ND96isr_H100_v5-eastus.json"]
    rows = list(src.parse(Payload.from_file(files[0])))
    # 4 captured items: Linux on-demand, Windows on-demand, Linux Spot, Windows Low Priority
    assert [(r["price_type"], r["price_usd_per_gpu_hour"]) for r in rows] == [
        ("on_demand", 98.32 / 8), ("spot", 18.169536 / 8)]
    assert rows[0]["price_usd_per_gpu_hour"] == pytest.approx(12.29)
    assert rows[1]["price_usd_per_gpu_hour"] == pytest.approx(2.271192)
    assert {r["region"] for r in rows} == {"eastus"}
    assert warehouse.validate("azure_retail_prices", rows).rejects == []
