"""RunPod GPU list prices per GPU-hour: Secure Cloud, Community Cloud and spot bids (GraphQL gpuTypes)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from etl import reference
from etl.http import FetchError
from etl.provenance import License, Payload, Source
from etl.sources._parse import number_or_raw

URL = "https://api.runpod.io/graphql"
KEY_VAR = "RUNPOD_API_KEY"

QUERY = """
query GpuTypes {
  gpuTypes {
    id
    displayName
    manufacturer
    memoryInGb
    secureCloud
    communityCloud
    securePrice
    communityPrice
    lowestPrice(input: {gpuCount: 1}) {
      uninterruptablePrice
      minimumBidPrice
      stockStatus
    }
  }
}
""".strip()

SOURCE = Source(
    name="runpod",
    title="RunPod GPU prices (GraphQL gpuTypes)",
    producer="RunPod",
    url_main="https://www.runpod.io/pricing",
    url_download=(URL,),
    license=License(
        "No licence stated; factual price data, terms of service at https://www.runpod.io/legal/terms-of-service",
        "https://www.runpod.io/legal/terms-of-service",
    ),
    citation="RunPod (2026). GraphQL API, gpuTypes { securePrice communityPrice lowestPrice }. "
    "https://api.runpod.io/graphql",
    cadence_hours=24,
    segment="neocloud",
    tables=("gpu_prices",),
    kind="provider_api",
    description=(
        "Per-GPU-hour list prices of every RunPod GPU type: Secure Cloud (RunPod's own data centres; "
        "price_type 'on_demand'), Community Cloud (third-party hosts; the on-demand price of that tier, kept "
        "as its own series 'community', never pooled with Secure Cloud; the tier is in the note, region "
        "null: a tier is not a place) and the lowest spot bid for one GPU (lowestPrice(gpuCount: 1)"
        ".minimumBidPrice; price_type 'spot', no region). Answers saved without the GraphQL envelope (a "
        "bare gpuTypes list) parse as well; a gpuType without `id` (a trimmed variant) is rejected with "
        "that reason. Prices are already per GPU "
        "(gpu_count 1). A price of 0 or null means the type is not offered in that cloud and gives "
        "no row. Keyless by default (as gpuhunt's hourly CI calls it); RUNPOD_API_KEY, when set, is "
        "sent as a Bearer header (never in the URL, which is archived). GraphQL errors inside an "
        "HTTP 200 fail the run."
    ),
    load="append",
    captures=("runpod/gpuTypes_*.json",),
    # Hourly answers of 2025-06 named by commit time (HH-MM, which the path date does not read); the
    # ewyluda fixture is undated, 2026-09/10 by its repository's data (captures/PROVENANCE.md).
    capture_dates=(
        ("runpod/gpuTypes_2025-06-15T10-27Z_*", "2025-06-15T10:27:00"),
        ("runpod/gpuTypes_2025-06-15T14-21Z_*", "2025-06-15T14:21:00"),
        ("runpod/gpuTypes_2025-06-15T14-27Z_*", "2025-06-15T14:27:00"),
        ("runpod/gpuTypes_2025-06-19T19-14Z_*", "2025-06-19T19:14:00"),
        ("runpod/gpuTypes_2025-06-19T22-19Z_*", "2025-06-19T22:19:00"),
        ("runpod/gpuTypes_2025-06-19T23-20Z_*", "2025-06-19T23:20:00"),
        ("runpod/gpuTypes_2025-06-21T22-18Z_*", "2025-06-21T22:18:00"),
        ("runpod/gpuTypes_2025-06-21T23-18Z_*", "2025-06-21T23:18:00"),
        ("runpod/gpuTypes_ewyluda-fixture_*", "2026-10-01"),
    ),
    needs_key=KEY_VAR,
)


def _errors(doc) -> str | None:
    if isinstance(doc, dict) and doc.get("errors"):
        errors = doc["errors"] if isinstance(doc["errors"], list) else [doc["errors"]]
        messages = [e.get("message", str(e)) if isinstance(e, dict) else str(e) for e in errors]
        return "; ".join(messages)[:500]
    return None


def fetch(client) -> list[Payload]:
    headers = {"Content-Type": "application/json"}
    key = client.api_key(KEY_VAR)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    payload = client.request(URL, method="POST", json={"query": QUERY}, headers=headers,
                             name="gpu-types.json")
    try:
        doc = json.loads(payload.body)
    except ValueError as exc:
        raise FetchError(f"RunPod GraphQL answer is not JSON: {exc}") from None
    errors = _errors(doc)
    if errors:
        raise FetchError(f"RunPod GraphQL errors: {errors}")
    return [payload]


def _price(value):
    """A price as float, None when absent or zero (RunPod's "not offered"), raw text if unparsable."""
    price = number_or_raw(value)
    return None if price == 0 else price


def _model(gpu: dict) -> str:
    for spelling in (gpu.get("displayName"), gpu.get("id")):
        if spelling and reference.is_known_gpu(reference.canonical_gpu(spelling)):
            return reference.canonical_gpu(spelling)
    return reference.canonical_gpu(gpu.get("displayName") or gpu.get("id"))


def parse(payload: Payload) -> Iterator[dict]:
    doc = payload.json("runpod")
    errors = _errors(doc)
    if errors:
        raise ValueError(f"runpod: GraphQL errors: {errors}")
    # Saved answers sometimes keep only the list, without the GraphQL envelope.
    gpu_types = doc if isinstance(doc, list) else ((doc.get("data") or {}) if isinstance(doc, dict) else {}).get("gpuTypes")
    if not isinstance(gpu_types, list):
        raise ValueError("runpod: expected {'data': {'gpuTypes': [...]}} or a gpuTypes list")
    for gpu in gpu_types:
        if not isinstance(gpu, dict) or not (gpu.get("id") or gpu.get("displayName")):
            raise ValueError(f"runpod: gpuType without id or displayName: {str(gpu)[:80]}")
        if gpu.get("id") == "unknown":
            continue
        lowest = gpu.get("lowestPrice") or {}
        stock = lowest.get("stockStatus")
        offers = [
            ("on_demand", "secure", _price(gpu.get("securePrice"))),
            # the on-demand price of the Community Cloud tier: its own series, never pooled with Secure
            ("community", "community", _price(gpu.get("communityPrice"))),
            ("spot", None, _price(lowest.get("minimumBidPrice"))),
        ]
        for price_type, tier, price in offers:
            if price is None:
                continue
            if not gpu.get("id"):  # a trimmed variant: the GPU type cannot be told for sure
                price = f"{price} (gpuType without id: trimmed answer, not loaded)"
            yield {
                "table": "gpu_prices",
                "observed_at": payload.fetched_at,
                "provider": "runpod",
                "segment": "neocloud",
                "gpu_model": _model(gpu),
                "gpu_model_raw": gpu.get("displayName") or gpu["id"],
                "gpu_count": 1,
                "price_usd_per_gpu_hour": price,
                "price_type": price_type,
                # a tier is no place: region stays null (geo 'global'); community is its own series
                "region": None,
                "offer_id": gpu.get("id"),
                "note": "; ".join(x for x in (f"tier {tier}" if tier else None,
                                              f"stock {stock}" if stock else None) if x) or None,
            }
