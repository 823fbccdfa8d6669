"""gcp_compute: SkyPilot GCP catalogue parser (GPU + host VM per GPU), fetch retries and failures."""

from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.provenance import Payload
from etl.sources import gcp_compute as src

AT = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)

GPU_MODELS = """gpu_model,aliases
H100 SXM,H100 SXM5
A100 80GB,
B200,
T4,
"""
PROVIDERS = "provider,segment\ngcp,hyperscaler\n"


@pytest.fixture(autouse=True)
def seed(mini_seed):
    return mini_seed(GPU_MODELS, PROVIDERS)


def parsed(fixture_path):
    path = fixture_path("gcp_compute.csv")
    return list(src.parse(Payload(path.read_bytes(), src.URL, AT, "gcp-vms.csv")))


def test_parse_adds_the_host_vm_and_divides_by_gpus_at_the_cheapest_zone(fixture_path):
    rows = parsed(fixture_path)
    got = [(r["gpu_model"], r["gpu_model_raw"], r["gpu_count"], r["region"], r["price_type"], r["offer_id"],
            round(r["price_usd_per_gpu_hour"], 8)) for r in rows]
    assert got == [
        # (78.37241 GPU + 9.46006 a3-highgpu-8g) / 8, zone a; spot (15.5 + 2.17547) / 8, zone b
        ("H100 SXM", "H100", 8, "us-central1", "on_demand", "a3-highgpu-8g", 10.97905875),
        ("H100 SXM", "H100", 8, "us-central1", "spot", "a3-highgpu-8g", 2.20943375),
        # europe-west4: the host has no spot price, so there is no spot row
        ("H100 SXM", "H100", 8, "europe-west4", "on_demand", "a3-highgpu-8g", 11.5228825),
        ("A100 80GB", "A100-80GB", 1, "us-central1", "on_demand", "a2-ultragpu-1g", 5.0277),
        ("A100 80GB", "A100-80GB", 1, "us-central1", "spot", "a2-ultragpu-1g", 2.01103),
        # N1-attachable T4 and bundled A4 B200: GPU charge alone
        ("T4", "T4", 1, "us-central1", "on_demand", "T4x1", 0.35),
        ("T4", "T4", 1, "us-central1", "spot", "T4x1", 0.14),
        ("B200", "B200", 8, "us-east4", "on_demand", "B200x8", 11.277),
    ]
    assert all(r["provider"] == "gcp" and r["segment"] == "hyperscaler" and r["observed_at"] == AT for r in rows)
    assert rows[0]["note"] == "us-central1-a: 8x H100 78.37241 + a3-highgpu-8g 9.46006 USD/h"
    assert rows[1]["note"].startswith("us-central1-b: ")
    assert "GPU charge only" in rows[5]["note"]


def test_tpus_and_plain_vms_give_no_rows(fixture_path):
    rows = parsed(fixture_path)
    assert not any("tpu" in r["gpu_model_raw"].lower() for r in rows)
    assert not any(r["offer_id"].startswith("n1-") for r in rows)


def test_rows_validate_without_rejects(fixture_path):
    data = warehouse.validate("gcp_compute", parsed(fixture_path), default_segment="hyperscaler")
    assert data.rejects == []
    assert len(data.rows["gpu_prices"]) == 8


@pytest.mark.parametrize("body, match", [
    (b"<!DOCTYPE html><html>404</html>", "got HTML"),
    (b'{"skus": []}', "got JSON"),
    (b"InstanceType,vCPUs,Price\na2-highgpu-1g,12,0.7\n", "lacks columns"),
])
def test_malformed_payloads_raise_value_error(body, match):
    with pytest.raises(ValueError, match=match):
        list(src.parse(Payload(body, "x", AT)))


@responses.activate
def test_fetch_gets_the_catalogue_csv(client, fixture_path):
    responses.get(src.URL, body=fixture_path("gcp_compute.csv").read_bytes(), content_type="text/plain")
    payloads = src.fetch(client)
    assert [c.request.url for c in responses.calls] == [src.URL]
    assert [p.name for p in payloads] == ["gcp-vms.csv"]
    assert len(list(src.parse(payloads[0]))) == 8


@responses.activate
def test_an_html_error_page_fetched_fails_in_parse(client):
    responses.get(src.URL, body="<html>rate limited</html>", content_type="text/html")
    payloads = src.fetch(client)  # CSV: the client cannot check JSON, the parser refuses HTML
    with pytest.raises(ValueError, match="got HTML"):
        list(src.parse(payloads[0]))
