"""OpenRouter: the inference market's catalogue (models, token prices) and providers per model."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterator

from etl.provenance import License, Payload, Source
from etl.sources._parse import number

MODELS_URL = "https://openrouter.ai/api/v1/models"
ENDPOINTS_URL = "https://openrouter.ai/api/v1/models/{model}/endpoints"
MARKET = "inference_endpoints_openrouter"
BASIS = "endpoints listed"
# A fixed panel of widely used models whose provider endpoints are listed. OpenRouter has no public
# rankings API, so the panel is curated from its public rankings page; ids missing from the current
# catalogue are skipped, and up to MAX_ENDPOINT_MODELS are requested.
PANEL: tuple[str, ...] = (
    "meta-llama/llama-3.3-70b-instruct",
    "meta-llama/llama-3.1-8b-instruct",
    "meta-llama/llama-3.1-405b-instruct",
    "meta-llama/llama-4-maverick",
    "meta-llama/llama-4-scout",
    "deepseek/deepseek-chat-v3-0324",
    "deepseek/deepseek-r1",
    "deepseek/deepseek-chat-v3.1",
    "qwen/qwen3-235b-a22b",
    "qwen/qwen3-32b",
    "qwen/qwen-2.5-72b-instruct",
    "qwen/qwen3-coder",
    "mistralai/mistral-nemo",
    "mistralai/mistral-small-3.1-24b-instruct",
    "google/gemma-3-27b-it",
    "openai/gpt-oss-120b",
    "openai/gpt-oss-20b",
    "moonshotai/kimi-k2",
    "z-ai/glm-4.5",
    "openai/gpt-4o-mini",
    "openai/gpt-4.1",
    "anthropic/claude-sonnet-4",
    "anthropic/claude-3.7-sonnet",
    "google/gemini-2.5-flash",
    "google/gemini-2.5-pro",
    "x-ai/grok-3-mini",
)
MAX_ENDPOINT_MODELS = 30

SOURCE = Source(
    name="openrouter",
    title="OpenRouter: model catalogue and inference providers per model",
    producer="OpenRouter",
    url_main="https://openrouter.ai/docs/api-reference/list-available-models",
    url_download=(MODELS_URL, ENDPOINTS_URL.format(model="{author}/{slug}")),
    license=License("No licence stated; public API, OpenRouter terms of service", "https://openrouter.ai/terms"),
    citation="OpenRouter (2026). Models API (GET /api/v1/models) and model endpoints "
    "(GET /api/v1/models/{author}/{slug}/endpoints). https://openrouter.ai/api/v1/models",
    cadence_hours=24,
    segment=None,
    tables=("indicators", "market_shares"),
    kind="provider_api",
    description=(
        "Snapshots of the OpenRouter inference marketplace (period = fetch date, load append). "
        "`openrouter_models`: models in the catalogue (count, includes ':free' variants and "
        "routers). `openrouter_median_prompt_price`: median prompt (input) price in USD per million "
        "tokens over models with a positive price (free models and routers with a variable price "
        "are left out; count in note). `openrouter_providers_per_model`: median number of distinct "
        "providers serving a model, over a fixed panel of widely used models (module PANEL; there "
        "is no rankings API). market `inference_endpoints_openrouter`: each provider's share of the "
        "panel's endpoints (basis endpoints listed, value = endpoints). OpenRouter lists what it "
        "routes to, not token volume: breadth of supply, not market share by revenue. The endpoint "
        "responses of one run are archived together as one JSON list of {model, response}. A "
        "catalogue fetched with a filter (every model supports one parameter, e.g. tools) is not "
        "the market: its count and median go to `openrouter_models_filtered` and "
        "`openrouter_median_prompt_price_filtered`, with the filter in note."
    ),
    load="append",
    captures=("openrouter/models_*.json",),
    rate_limit_per_minute=60,
)


def fetch(client) -> list[Payload]:
    catalogue = client.request(MODELS_URL, name="models.json", expect="json")
    body = json.loads(catalogue.body)
    ids = {m.get("id") for m in body.get("data", [])} if isinstance(body, dict) else set()
    panel = [m for m in PANEL if m in ids][:MAX_ENDPOINT_MODELS]
    bundle, urls, last = [], [], catalogue
    for model in panel:
        page = client.request(ENDPOINTS_URL.format(model=model), name=f"{model.replace('/', '__')}.json",
                              expect="json")
        bundle.append({"model": model, "url": page.url, "response": json.loads(page.body)})
        urls.append(page.url)
        last = page
    payloads = [catalogue]
    if bundle:
        payloads.append(Payload(body=json.dumps({"endpoints": bundle}).encode("utf-8"),
                                url=ENDPOINTS_URL.format(model="{panel}"), fetched_at=last.fetched_at,
                                name="endpoints.json"))
    return payloads


# --------------------------------------------------------------------------- parse

def per_million(price) -> float | None:
    """A per-token USD price string ('0.000003') in USD per million tokens; None if not a price."""
    value = number(price)
    return value * 1e6 if value is not None and value >= 0 else None


def _row(table: str, day: str, **cols) -> dict:
    return {"table": table, "period": day, "period_label": day, "confidence": "primary", **cols}


# Parameters nearly every model takes: a catalogue where all models support one of these is still whole.
GENERIC_PARAMETERS = frozenset({"max_tokens", "temperature", "top_p", "stop"})
MIN_MODELS_TO_JUDGE = 20  # a handful of models all sharing a parameter proves nothing


def filtered_by(models: list[dict]) -> str | None:
    """The parameter a catalogue was evidently filtered by (`?supported_parameters=tools`): one that
    every model supports and that not nearly every model does in a whole catalogue; else None."""
    if len(models) < MIN_MODELS_TO_JUDGE or any(not isinstance(m.get("supported_parameters"), list) for m in models):
        return None
    common = set.intersection(*(set(m["supported_parameters"]) for m in models)) - GENERIC_PARAMETERS
    return ",".join(sorted(common)) or None


def _catalogue(data: dict, day: str) -> Iterator[dict]:
    models = data["data"]
    for m in models:
        if not isinstance(m, dict) or "id" not in m or not isinstance(m.get("pricing"), dict):
            got = sorted(m)[:8] if isinstance(m, dict) else type(m).__name__
            raise ValueError(f"openrouter: model without id/pricing (schema drift?): {got}")
    prices = [per_million(m["pricing"].get("prompt")) for m in models]
    paid = [p for p in prices if p is not None and p > 0]
    free = sum(1 for p in prices if p == 0)
    # A filtered catalogue is a subset, not the market: its figures go under their own indicators.
    only = filtered_by(models)
    suffix, caveat = ("_filtered", f"; filtered catalogue: every model supports {only}, so not the "
                      "whole market") if only else ("", "")
    yield _row("indicators", day, indicator=f"openrouter_models{suffix}", entity="OpenRouter", value=len(models),
               unit="models", ref_url=MODELS_URL, note=f"{free} free, {len(paid)} paid{caveat}")
    if paid:
        yield _row("indicators", day, indicator=f"openrouter_median_prompt_price{suffix}", entity="OpenRouter",
                   value=statistics.median(paid), unit="USD per million tokens", ref_url=MODELS_URL,
                   note=f"median prompt price over {len(paid)} models with a positive price{caveat}")


def _endpoints(data: dict, day: str) -> Iterator[dict]:
    per_model: dict[str, set[str]] = {}
    endpoints: Counter = Counter()
    for item in data["endpoints"]:
        response = item.get("response") if isinstance(item, dict) else None
        inner = response.get("data") if isinstance(response, dict) else None
        listed = inner.get("endpoints") if isinstance(inner, dict) else None
        if not isinstance(listed, list):
            raise ValueError(f"openrouter: endpoints response for {item.get('model') if isinstance(item, dict) else item!r} "
                             "lacks data.endpoints (schema drift?)")
        model = item.get("model") or inner.get("id")
        names = set()
        for e in listed:
            name = (e.get("provider_name") or "").strip() if isinstance(e, dict) else ""
            if not name:
                raise ValueError(f"openrouter: endpoint of {model} without provider_name: {e!r}")
            names.add(name)
            endpoints[name] += 1
        per_model[model] = names
    if per_model:
        counts = [len(v) for v in per_model.values()]
        yield _row("indicators", day, indicator="openrouter_providers_per_model", entity="OpenRouter",
                   value=statistics.median(counts), unit="providers per model",
                   ref_url="https://openrouter.ai/models",
                   note=f"median over {len(counts)} panel models (min {min(counts)}, max {max(counts)})")
    total = sum(endpoints.values())
    for provider, n in sorted(endpoints.items(), key=lambda kv: (-kv[1], kv[0])):
        yield _row("market_shares", day, market=MARKET, entity=provider, share_pct=n / total * 100,
                   basis=BASIS, value=n, unit="endpoints", ref_url="https://openrouter.ai/models",
                   coverage=f"endpoints of {len(per_model)} widely used models on OpenRouter only")


def parse(payload: Payload) -> Iterator[dict]:
    """Catalogue payload -> count and median price; endpoints bundle -> providers per model and shares."""
    data = payload.json("openrouter")
    day = payload.fetched_at.date().isoformat()
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        yield from _catalogue(data, day)
    elif isinstance(data, dict) and isinstance(data.get("endpoints"), list):
        yield from _endpoints(data, day)
    elif isinstance(data, dict) and isinstance(data.get("data"), dict) and "endpoints" in data["data"]:
        # one raw endpoints response (e.g. replayed by hand): treat as a panel of one
        yield from _endpoints({"endpoints": [{"model": data["data"].get("id"), "response": data}]}, day)
    else:
        got = sorted(data)[:6] if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"openrouter: {payload.name} is neither the models catalogue nor endpoints (got {got})")
