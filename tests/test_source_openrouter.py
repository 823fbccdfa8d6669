"""openrouter: catalogue count and median price, providers per model, endpoint shares."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses

from etl import warehouse
from etl.http import FetchError
from etl.provenance import Payload
from etl.sources import openrouter as orr

WHEN = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PANEL = {"meta-llama/llama-3.3-70b-instruct": "openrouter_endpoints_llama.json",
         "deepseek/deepseek-r1": "openrouter_endpoints_deepseek.json",
         "anthropic/claude-sonnet-4": "openrouter_endpoints_claude.json"}


def bundle(fixture_path) -> Payload:
    items = [{"model": m, "url": orr.ENDPOINTS_URL.format(model=m), "response": json.loads(fixture_path(f).read_text())}
             for m, f in PANEL.items()]
    return Payload(json.dumps({"endpoints": items}).encode(), "u", WHEN, "endpoints.json")


def test_catalogue_count_and_median_price(fixture_path):
    p = Payload(fixture_path("openrouter_models.json").read_bytes(), orr.MODELS_URL, WHEN, "models.json")
    rows = {r["indicator"]: r for r in orr.parse(p)}
    assert rows["openrouter_models"]["value"] == 5 and rows["openrouter_models"]["unit"] == "models"
    assert rows["openrouter_models"]["note"] == "1 free, 3 paid"
    median = rows["openrouter_median_prompt_price"]
    # paid prompt prices 0.13, 0.40, 3.00 USD per M tokens (the free variant and the -1 router are left out)
    assert median["value"] == pytest.approx(0.40)
    assert median["unit"] == "USD per million tokens" and median["period"] == "2026-03-02"


def test_per_million():
    assert orr.per_million("0.000003") == pytest.approx(3.0)
    assert orr.per_million("0") == 0.0
    assert orr.per_million("-1") is None and orr.per_million(None) is None


def test_endpoints_bundle_providers_and_shares(fixture_path):
    rows = list(orr.parse(bundle(fixture_path)))
    [ppm] = [r for r in rows if r["table"] == "indicators"]
    assert ppm["indicator"] == "openrouter_providers_per_model"
    assert ppm["value"] == 3 and ppm["unit"] == "providers per model"
    shares = {r["entity"]: (r["value"], round(r["share_pct"], 3)) for r in rows if r["table"] == "market_shares"}
    # 9 endpoints: DeepInfra 3 (two on Llama), Together 2, Groq, Anthropic, Google, Amazon Bedrock 1 each
    assert shares == {"DeepInfra": (3, 33.333), "Together": (2, 22.222), "Amazon Bedrock": (1, 11.111),
                      "Anthropic": (1, 11.111), "Google": (1, 11.111), "Groq": (1, 11.111)}
    r = next(r for r in rows if r["table"] == "market_shares")
    assert r["market"] == "inference_endpoints_openrouter" and r["basis"] == "endpoints listed"
    assert r["unit"] == "endpoints"
    result = warehouse.validate("openrouter", rows)
    assert result.rejects == []
    assert sum(x["share_pct"] for x in result.rows["market_shares"]) == pytest.approx(100)


def test_providers_per_model_counts_distinct_providers(fixture_path):
    # Llama has 4 endpoints but 3 providers (DeepInfra twice); R1 has 2; Claude has 3 -> median 3
    rows = list(orr.parse(bundle(fixture_path)))
    [ppm] = [r for r in rows if r.get("indicator") == "openrouter_providers_per_model"]
    assert ppm["note"] == "median over 3 panel models (min 2, max 3)"


def test_single_raw_endpoints_response(fixture_path):
    p = Payload(fixture_path("openrouter_endpoints_deepseek.json").read_bytes(), "u", WHEN, "x.json")
    rows = list(orr.parse(p))
    assert [r["entity"] for r in rows if r["table"] == "market_shares"] == ["DeepInfra", "Together"]


def test_schema_drift_raises(fixture_path):
    with pytest.raises(ValueError, match="neither"):
        list(orr.parse(Payload(b'{"models": []}', "u", WHEN, "models.json")))
    with pytest.raises(ValueError, match="id/pricing"):
        list(orr.parse(Payload(b'{"data": [{"id": "a/b"}]}', "u", WHEN, "models.json")))
    broken = {"endpoints": [{"model": "a/b", "response": {"data": {"id": "a/b"}}}]}
    with pytest.raises(ValueError, match="data.endpoints"):
        list(orr.parse(Payload(json.dumps(broken).encode(), "u", WHEN, "endpoints.json")))


@responses.activate
def test_fetch_catalogue_then_panel_endpoints(client, fixture_path):
    responses.add(responses.GET, orr.MODELS_URL, body=fixture_path("openrouter_models.json").read_bytes())
    for model, name in PANEL.items():
        responses.add(responses.GET, orr.ENDPOINTS_URL.format(model=model), body=fixture_path(name).read_bytes())
    payloads = orr.fetch(client)
    assert [p.name for p in payloads] == ["models.json", "endpoints.json"]
    assert responses.calls[0].request.url == orr.MODELS_URL
    requested = [c.request.url for c in responses.calls[1:]]
    # only panel models present in the catalogue are asked for, in panel order
    assert requested == [orr.ENDPOINTS_URL.format(model=m) for m in orr.PANEL if m in PANEL]
    rows = [r for p in payloads for r in orr.parse(p)]
    indicators = {r["indicator"] for r in rows if r["table"] == "indicators"}
    assert indicators == {"openrouter_models", "openrouter_median_prompt_price", "openrouter_providers_per_model"}
    assert warehouse.validate("openrouter", rows).rejects == []


@responses.activate
def test_fetch_html_fails(client):
    responses.add(responses.GET, orr.MODELS_URL, body="<html>Cloudflare</html>", content_type="text/html")
    with pytest.raises(FetchError, match="HTML"):
        orr.fetch(client)


def _catalogue_of(n: int, params: list[str]) -> bytes:
    return json.dumps({"data": [{"id": f"m/{i}", "pricing": {"prompt": "0.000001"}, "supported_parameters": params}
                                for i in range(n)]}).encode()


def test_a_catalogue_filtered_by_a_parameter_is_said_so_not_counted_as_the_market():
    rows = list(orr.parse(Payload(_catalogue_of(25, ["max_tokens", "tools"]), orr.MODELS_URL, WHEN, "models.json")))
    assert {r["indicator"] for r in rows} == {"openrouter_models_filtered", "openrouter_median_prompt_price_filtered"}
    assert all("every model supports tools" in r["note"] for r in rows)


@pytest.mark.parametrize("n, params", [(25, ["max_tokens", "temperature"]), (5, ["tools"])])
def test_a_whole_or_too_small_catalogue_is_not_called_filtered(n, params):
    rows = list(orr.parse(Payload(_catalogue_of(n, params), orr.MODELS_URL, WHEN, "models.json")))
    assert {r["indicator"] for r in rows} == {"openrouter_models", "openrouter_median_prompt_price"}


@pytest.mark.captures
@pytest.mark.parametrize("name, indicator, models", [
    ("models_2026-05-07_aiscanner-898b545.json", "openrouter_models", 368),
    ("models_2026-05-20_aiscanner-05d458b.json", "openrouter_models", 356),
    ("models_2025-07-20_wikiarena-cc1d450.json", "openrouter_models_filtered", 147),
    ("models_2025-07-29_wikiarena-58a25bc.json", "openrouter_models_filtered", 151),
])
def test_real_catalogues_whole_and_filtered(captures, name, indicator, models):
    payload = Payload.from_file(captures / "openrouter" / name)
    rows = {r["indicator"]: r for r in orr.parse(payload)}
    assert rows[indicator]["value"] == models
    assert rows[indicator]["period"] == name.split("_")[1]  # dated by the commit in the file name
    if indicator == "openrouter_models" and "05-07" in name:
        assert round(rows["openrouter_median_prompt_price"]["value"], 2) == 0.40  # PROVENANCE
