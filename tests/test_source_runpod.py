"""runpod: GraphQL gpuTypes parser (secure / community / spot), optional key, retries, GraphQL errors."""

import json
from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.http import FetchError
from etl.provenance import Payload
from etl.sources import runpod as src
from tests.conftest import RecordingClient

AT = datetime(2026, 3, 3, 15, 30, tzinfo=UTC)

GPU_MODELS = """gpu_model,aliases
H100 SXM,H100 80GB HBM3
A100 80GB,A100 SXM|A100-SXM4-80GB
RTX 4090,GeForce RTX 4090
"""
PROVIDERS = "provider,segment\nrunpod,neocloud\n"


@pytest.fixture(autouse=True)
def seed(mini_seed):
    return mini_seed(GPU_MODELS, PROVIDERS)


def parsed(fixture_path):
    path = fixture_path("runpod.json")
    return list(src.parse(Payload(path.read_bytes(), src.URL, AT, "gpu-types.json")))


def test_parse_secure_on_demand_the_community_tier_series_and_spot(fixture_path):
    rows = parsed(fixture_path)
    got = [(r["offer_id"], r["gpu_model"], r["price_type"], r["note"].split(";")[0] if "tier" in (r["note"] or "") else None,
            r["price_usd_per_gpu_hour"]) for r in rows]
    assert got == [
        ("NVIDIA H100 80GB HBM3", "H100 SXM", "on_demand", "tier secure", 2.69),
        ("NVIDIA H100 80GB HBM3", "H100 SXM", "community", "tier community", 2.69),
        ("NVIDIA H100 80GB HBM3", "H100 SXM", "spot", None, 1.75),
        ("NVIDIA A100-SXM4-80GB", "A100 80GB", "on_demand", "tier secure", 1.49),
        ("NVIDIA A100-SXM4-80GB", "A100 80GB", "community", "tier community", 1.39),
        ("NVIDIA GeForce RTX 4090", "RTX 4090", "community", "tier community", 0.34),
        ("NVIDIA GeForce RTX 4090", "RTX 4090", "spot", None, 0.2),
        # not in the reference table: kept under its own name, never dropped
        ("AMD Instinct MI300X OAM", "MI300X", "on_demand", "tier secure", 2.49),
    ]
    assert all(r["gpu_count"] == 1 and r["provider"] == "runpod" and r["segment"] == "neocloud" for r in rows)
    assert all(r["region"] is None for r in rows)  # a tier is not a place
    assert rows[0]["gpu_model_raw"] == "H100 SXM" and rows[0]["note"] == "tier secure; stock High"
    assert rows[2]["note"] == "stock High" and rows[-1]["note"] == "tier secure"


def test_rows_validate_without_rejects(fixture_path):
    data = warehouse.validate("runpod", parsed(fixture_path), default_segment="neocloud")
    assert data.rejects == []
    assert len(data.rows["gpu_prices"]) == 8


def test_graphql_errors_in_a_200_are_a_clear_value_error():
    body = json.dumps({"errors": [{"message": "Cannot query field \"securePrice\" on type \"GpuType\"."}],
                       "data": None}).encode()
    with pytest.raises(ValueError, match='GraphQL errors: Cannot query field "securePrice"'):
        list(src.parse(Payload(body, src.URL, AT)))


@pytest.mark.parametrize("body, match", [
    (b'{"data": {}}', "gpuTypes"),
    (b'{"data": {"gpuTypes": [{"memoryInGb": 80}]}}', "without id or displayName"),
    (b'{"gpuTypes": []}', "gpuTypes"),
])
def test_malformed_payloads_raise_value_error(body, match):
    with pytest.raises(ValueError, match=match):
        list(src.parse(Payload(body, "x", AT)))


@responses.activate
def test_fetch_posts_the_query_keyless(client, fixture_path):
    responses.post(src.URL, body=fixture_path("runpod.json").read_bytes(), content_type="application/json")
    payloads = src.fetch(client)
    assert len(responses.calls) == 1
    sent = responses.calls[0].request
    assert json.loads(sent.body)["query"].startswith("query GpuTypes")
    assert "lowestPrice(input: {gpuCount: 1})" in json.loads(sent.body)["query"]
    assert "Authorization" not in sent.headers
    assert [p.name for p in payloads] == ["gpu-types.json"]


@responses.activate
def test_fetch_sends_the_optional_key_as_a_bearer_header_not_in_the_url(monkeypatch, settings, fixture_path):
    monkeypatch.setenv("RUNPOD_API_KEY", "rp-secret")
    client = RecordingClient()
    responses.post(src.URL, body=fixture_path("runpod.json").read_bytes(), content_type="application/json")
    payloads = src.fetch(client)
    assert responses.calls[0].request.headers["Authorization"] == "Bearer rp-secret"
    assert "rp-secret" not in payloads[0].url


@responses.activate
def test_fetch_fails_clearly_on_graphql_errors(client):
    responses.post(src.URL, json={"errors": [{"message": "Too many requests, slow down"}]})
    with pytest.raises(FetchError, match="RunPod GraphQL errors: Too many requests"):
        src.fetch(client)


@responses.activate
def test_fetch_html_instead_of_json_is_a_fetch_error(client):
    responses.post(src.URL, body="<html>Bad gateway</html>", content_type="text/html")
    with pytest.raises(FetchError, match="expected JSON, got HTML"):
        src.fetch(client)




def test_an_answer_saved_without_the_graphql_envelope_parses_the_same(fixture_path):
    doc = json.loads(fixture_path("runpod.json").read_bytes())
    bare = json.dumps(doc["data"]["gpuTypes"]).encode()
    assert list(src.parse(Payload(bare, src.URL, AT, "gpu-types.json"))) == parsed(fixture_path)


def test_a_gpu_type_without_id_is_rejected_with_that_reason_not_a_crash():
    body = b'[{"displayName": "A100 SXM", "secureCloud": true, "securePrice": 1.74}]'
    rows = list(src.parse(Payload(body, src.URL, AT, "gpu-types.json")))
    data = warehouse.validate("runpod", rows)
    assert data.rows["gpu_prices"] == []
    [(_, reason, record)] = data.rejects
    assert "gpuType without id" in reason and record["gpu_model_raw"] == "A100 SXM"


@pytest.mark.captures
def test_real_hourly_answers_parse_and_only_the_trimmed_variant_is_rejected(captures, monkeypatch):
    monkeypatch.delenv("COMPUTEWATCH_SEED_DIR", raising=False)
    files = sorted((captures / "runpod").glob("gpuTypes_*.json"))
    assert len(files) == 9
    counts = {}
    for path in files:
        rows = list(src.parse(Payload.from_file(path)))
        data = warehouse.validate("runpod", rows)
        counts[path.name.split("_")[-1]] = (len(data.rows["gpu_prices"]), len(data.rejects))
    assert counts["beb9df2.json"][0] == 0 and counts["beb9df2.json"][1] > 0  # no id: all rejected
    assert counts["d789fed5.json"] == (88, 0)  # PROVENANCE: 88 rows (secure + community)
    assert all(rejected == 0 and loaded > 0 for name, (loaded, rejected) in counts.items() if name != "beb9df2.json")
